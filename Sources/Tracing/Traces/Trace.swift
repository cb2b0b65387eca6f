import Foundation
import ForensicsAPI
import IFCCore
import RegistryAPI

/// Whether this country asks (outgoing) or is asked (incoming).
public enum TraceDirection: String, Sendable, Codable, CaseIterable, APIEnum {
    case outgoing, incoming
}

/// Where a request stands; which may follow which is `TraceStatus.next` (Rules/).
public enum TraceStatus: String, Sendable, Codable, CaseIterable, APIEnum {
    case draft, sent, acknowledged, answered, closed
}

/// How a request travels. INTERPOL (iARMS) is a channel, never an addressee.
public enum TraceChannel: String, Sendable, Codable, CaseIterable, APIEnum {
    case iarms, etrace, diplomatic, bilateral, other
}

public enum TraceUrgency: String, Sendable, Codable, CaseIterable, APIEnum {
    case routine, urgent
}

/// Who is asked: a state, or a manufacturer or importer (with its country).
public enum AddresseeKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case state, manufacturer, importer
}

/// The fields a liaison officer writes on a request (a draft while outgoing).
public struct TraceFields: Sendable, Equatable {
    public var addressee: Addressee?
    public var requestingState: Country?
    public var foreignReference: String?
    public var receivedOn: CalendarDate?
    public var channel: TraceChannel
    public var requestingOfficer: String?
    public var requestingAgency: String?
    public var firearm: FoundFirearm?
    public var circumstances: Circumstances?
    public var legalBasis: String?
    public var illicitNature: String?
    public var intendedUse: String?
    public var urgency: TraceUrgency
    public var deadline: CalendarDate?
    public var confidentiality: Confidentiality
    public var restrictions: String?
    public var seizureID: UUID?
    public var caseID: UUID?
    public var firearmID: UUID?
    public var parentID: UUID?
    /// The ballistic exhibit the draft was made from (exhibits module).
    public var exhibitID: UUID?
}

/// Who moved a request to a status, and when.
public struct TraceStep: Sendable, Codable, Equatable {
    public var by: String
    public var at: Date
}

/// The legal review that lets personal data leave the country.
public struct LegalReview: Sendable, Codable, Equatable {
    public var approvedBy: String
    public var note: String?
    public var recordedBy: String
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case note
        case approvedBy = "approved_by", recordedBy = "recorded_by", recordedAt = "recorded_at"
    }
}

/// Time-to-crime from a traced answer: days from the first retail sale to the recovery, and
/// days since the last lawful import; flagged under the configured threshold and under a year.
public struct TimeToCrime: Sendable, Codable, Equatable {
    public var daysFromFirstRetailSale: Int?
    public var daysSinceLastLawfulImport: Int?
    public var thresholdYears: Int
    public var underThreshold: Bool
    public var underOneYear: Bool
    /// Why the figures are null (no recovery date; no sale or import before it); null when given.
    public var unavailable: String?

    enum CodingKeys: String, CodingKey {
        case daysFromFirstRetailSale = "days_from_first_retail_sale", daysSinceLastLawfulImport = "days_since_last_lawful_import"
        case thresholdYears = "threshold_years", underThreshold = "under_threshold", underOneYear = "under_one_year", unavailable
    }

    public init(daysFromFirstRetailSale: Int?, daysSinceLastLawfulImport: Int?, thresholdYears: Int, underThreshold: Bool, underOneYear: Bool,
                unavailable: String? = nil) {
        self.daysFromFirstRetailSale = daysFromFirstRetailSale
        self.daysSinceLastLawfulImport = daysSinceLastLawfulImport
        self.thresholdYears = thresholdYears
        self.underThreshold = underThreshold
        self.underOneYear = underOneYear
        self.unavailable = unavailable
    }

    static func unavailable(_ reason: String, thresholdYears: Int) -> TimeToCrime {
        TimeToCrime(daysFromFirstRetailSale: nil, daysSinceLastLawfulImport: nil, thresholdYears: thresholdYears, underThreshold: false,
                    underOneYear: false, unavailable: reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(daysFromFirstRetailSale, forKey: .daysFromFirstRetailSale)
        try c.encode(daysSinceLastLawfulImport, forKey: .daysSinceLastLawfulImport)
        try c.encode(thresholdYears, forKey: .thresholdYears)
        try c.encode(underThreshold, forKey: .underThreshold)
        try c.encode(underOneYear, forKey: .underOneYear)
        try c.encode(unavailable, forKey: .unavailable)
    }
}

/// A tracing request (`TR-2026-000045`) as the API shows it.
public struct Trace: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var direction: TraceDirection
    public var status: TraceStatus
    public var parentID: UUID?
    public var addressee: Addressee?
    public var requestingState: Country?
    public var foreignReference: String?
    public var receivedOn: CalendarDate?
    public var channel: TraceChannel
    public var requestingOfficer: String?
    public var requestingAgency: String?
    public var firearm: FoundFirearm?
    public var serialNormalized: String?
    public var circumstances: Circumstances?
    public var personalData: Bool
    public var legalBasis: String?
    public var illicitNature: String?
    public var intendedUse: String?
    public var urgency: TraceUrgency
    public var deadline: CalendarDate?
    public var confidentiality: Confidentiality
    public var restrictions: String?
    public var seizureID: UUID?
    public var caseID: UUID?
    public var firearmID: UUID?
    public var exhibitID: UUID?
    public var legalReview: LegalReview?
    public var sent: TraceStep?
    public var acknowledged: TraceStep?
    public var answered: TraceStep?
    public var closed: TraceStep?
    public var createdBy: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reference, direction, status, addressee, channel, firearm, circumstances, urgency, deadline, confidentiality
        case restrictions, sent, acknowledged, answered, closed, version
        case parentID = "parent_id", requestingState = "requesting_state", foreignReference = "foreign_reference"
        case receivedOn = "received_on", requestingOfficer = "requesting_officer", requestingAgency = "requesting_agency"
        case serialNormalized = "serial_normalized", personalData = "personal_data", legalBasis = "legal_basis"
        case illicitNature = "illicit_nature", intendedUse = "intended_use", seizureID = "seizure_id", caseID = "case_id"
        case firearmID = "firearm_id", exhibitID = "exhibit_id", legalReview = "legal_review", createdBy = "created_by", createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    var fields: TraceFields {
        TraceFields(addressee: addressee, requestingState: requestingState, foreignReference: foreignReference, receivedOn: receivedOn,
                    channel: channel, requestingOfficer: requestingOfficer, requestingAgency: requestingAgency, firearm: firearm,
                    circumstances: circumstances, legalBasis: legalBasis, illicitNature: illicitNature, intendedUse: intendedUse,
                    urgency: urgency, deadline: deadline, confidentiality: confidentiality, restrictions: restrictions,
                    seizureID: seizureID, caseID: caseID, firearmID: firearmID, parentID: parentID, exhibitID: exhibitID)
    }
}

/// A request with what has come of it, as `GET /v1/traces/{id}` shows it.
public struct TraceDetail: Sendable, Encodable {
    public var trace: Trace
    public var answer: TraceAnswer?
    public var timeToCrime: TimeToCrime?
    public var responseDays: Int?

    enum CodingKeys: String, CodingKey {
        case answer
        case timeToCrime = "time_to_crime", responseDays = "response_days"
    }

    public func encode(to encoder: any Encoder) throws {
        try trace.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(answer, forKey: .answer)
        try c.encode(timeToCrime, forKey: .timeToCrime)
        try c.encode(responseDays, forKey: .responseDays)
    }
}
