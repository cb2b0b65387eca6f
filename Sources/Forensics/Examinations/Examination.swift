import Foundation
import IFCCore
import Registry

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

    enum CodingKeys: String, CodingKey {
        case id, kind, method, examiner, result, candidates, version
        case caseID = "case_id", requestedOn = "requested_on", startedOn = "started_on", completedOn = "completed_on"
        case afteConclusion = "afte_conclusion", eliminationReason = "elimination_reason", verifiedBy = "verified_by"
        case verifiedAt = "verified_at", verificationNote = "verification_note", recoveredSerial = "recovered_serial"
        case partExamined = "part_examined", searchedAt = "searched_at", confirmedFirearmID = "confirmed_firearm_id"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    var fields: ExaminationFields {
        ExaminationFields(kind: kind, method: method, requestedOn: requestedOn, startedOn: startedOn, completedOn: completedOn, result: result,
                          afteConclusion: afteConclusion, eliminationReason: eliminationReason, recoveredSerial: recoveredSerial,
                          partExamined: partExamined)
    }
}

