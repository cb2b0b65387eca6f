import Foundation
import IFCCore
import RegistryAPI

/// The AFTE range of conclusions for a comparison.
public enum AFTEConclusion: String, Sendable, Codable, CaseIterable, APIEnum {
    case identification
    case inconclusiveA = "inconclusive_a"
    case inconclusiveB = "inconclusive_b"
    case inconclusiveC = "inconclusive_c"
    case elimination, unsuitable
}

/// The fields of an examination an examiner records and corrects.
public struct ExaminationFields: Sendable, Equatable {
    public var kind: ExaminationKind
    public var method: String?
    public var requestedOn: CalendarDate?
    public var startedOn: CalendarDate?
    public var completedOn: CalendarDate?
    public var result: String?
    public var afteConclusion: AFTEConclusion?
    public var eliminationReason: String?
    /// Serial restoration: the characters recovered, `?` for each one that could not be read.
    public var recoveredSerial: String?
    public var partExamined: MarkingPart?

    public init(kind: ExaminationKind, method: String? = nil, requestedOn: CalendarDate? = nil, startedOn: CalendarDate? = nil,
                completedOn: CalendarDate? = nil, result: String? = nil, afteConclusion: AFTEConclusion? = nil,
                eliminationReason: String? = nil, recoveredSerial: String? = nil, partExamined: MarkingPart? = nil) {
        self.kind = kind
        self.method = method
        self.requestedOn = requestedOn
        self.startedOn = startedOn
        self.completedOn = completedOn
        self.result = result
        self.afteConclusion = afteConclusion
        self.eliminationReason = eliminationReason
        self.recoveredSerial = recoveredSerial
        self.partExamined = partExamined
    }
}

/// A registry firearm whose serial fits a restored partial serial.
public struct SerialCandidate: Sendable, Codable, Equatable {
    public var firearmID: UUID
    public var reference: String
    public var make: String
    public var model: String?
    public var type: FirearmType
    public var calibre: String
    public var serial: String?
    public var status: FirearmStatus

    public init(firearmID: UUID, reference: String, make: String, model: String? = nil, type: FirearmType, calibre: String,
                serial: String? = nil, status: FirearmStatus) {
        self.firearmID = firearmID
        self.reference = reference
        self.make = make
        self.model = model
        self.type = type
        self.calibre = calibre
        self.serial = serial
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case reference, make, model, type, calibre, serial, status
        case firearmID = "firearm_id"
    }
}

/// An examination as the API shows it.
public struct Examination: Sendable, Codable, Equatable {
    public var id: UUID
    public var caseID: UUID
    public var kind: ExaminationKind
    public var method: String?
    /// The examiner who recorded it (the user), who may not verify their own identification.
    public var examiner: String
    public var requestedOn: CalendarDate?
    public var startedOn: CalendarDate?
    public var completedOn: CalendarDate?
    public var result: String?
    public var afteConclusion: AFTEConclusion?
    public var eliminationReason: String?
    public var verifiedBy: String?
    public var verifiedAt: Date?
    public var verificationNote: String?
    public var recoveredSerial: String?
    public var partExamined: MarkingPart?
    public var candidates: [SerialCandidate]?
    public var searchedAt: Date?
    public var confirmedFirearmID: UUID?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// The version the verification verified (nil when not verified, and in versions kept before
    /// the field existed).
    public var verifiedVersion: Int?

    public init(id: UUID, caseID: UUID, kind: ExaminationKind, method: String? = nil, examiner: String,
                requestedOn: CalendarDate? = nil, startedOn: CalendarDate? = nil, completedOn: CalendarDate? = nil,
                result: String? = nil, afteConclusion: AFTEConclusion? = nil, eliminationReason: String? = nil,
                verifiedBy: String? = nil, verifiedAt: Date? = nil, verificationNote: String? = nil,
                recoveredSerial: String? = nil, partExamined: MarkingPart? = nil, candidates: [SerialCandidate]? = nil,
                searchedAt: Date? = nil, confirmedFirearmID: UUID? = nil, version: Int, createdAt: Date, updatedAt: Date,
                verifiedVersion: Int? = nil) {
        self.id = id
        self.caseID = caseID
        self.kind = kind
        self.method = method
        self.examiner = examiner
        self.requestedOn = requestedOn
        self.startedOn = startedOn
        self.completedOn = completedOn
        self.result = result
        self.afteConclusion = afteConclusion
        self.eliminationReason = eliminationReason
        self.verifiedBy = verifiedBy
        self.verifiedAt = verifiedAt
        self.verificationNote = verificationNote
        self.recoveredSerial = recoveredSerial
        self.partExamined = partExamined
        self.candidates = candidates
        self.searchedAt = searchedAt
        self.confirmedFirearmID = confirmedFirearmID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.verifiedVersion = verifiedVersion
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, method, examiner, result, candidates, version
        case verifiedVersion = "verified_version"
        case caseID = "case_id", requestedOn = "requested_on", startedOn = "started_on", completedOn = "completed_on"
        case afteConclusion = "afte_conclusion", eliminationReason = "elimination_reason", verifiedBy = "verified_by"
        case verifiedAt = "verified_at", verificationNote = "verification_note", recoveredSerial = "recovered_serial"
        case partExamined = "part_examined", searchedAt = "searched_at", confirmedFirearmID = "confirmed_firearm_id"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public var fields: ExaminationFields {
        ExaminationFields(kind: kind, method: method, requestedOn: requestedOn, startedOn: startedOn, completedOn: completedOn, result: result,
                          afteConclusion: afteConclusion, eliminationReason: eliminationReason, recoveredSerial: recoveredSerial,
                          partExamined: partExamined)
    }
}

