import ForensicsAPI
import Foundation
import ExhibitsAPI
import IFCCore

public enum ImagingSystem: String, Sendable, Codable, CaseIterable, APIEnum {
    case ibis, evofinder, brastrax, other
}

/// The network an acquisition was entered in: the national one, the regional network, or INTERPOL's.
public enum ImagingNetwork: String, Sendable, Codable, CaseIterable, APIEnum {
    case national, regional, interpol
}

/// An exhibit entered in a ballistic imaging system.
public struct Acquisition: Sendable, Codable, Equatable {
    public var id: UUID
    public var exhibitID: UUID
    public var system: ImagingSystem
    public var network: ImagingNetwork
    public var acquiredOn: CalendarDate
    public var systemReference: String
    public var createdBy: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, system, network
        case exhibitID = "exhibit_id", acquiredOn = "acquired_on", systemReference = "system_reference", createdBy = "created_by"
        case createdAt = "created_at"
    }
}

public struct NewAcquisition: Sendable, Equatable {
    public var system: ImagingSystem
    public var network: ImagingNetwork
    public var acquiredOn: CalendarDate
    public var systemReference: String
}

/// Where a lead stands: open, or the examiner's decision in the AFTE range.
public enum LeadStatus: String, Sendable, Codable, CaseIterable, APIEnum {
    case open, identification, inconclusive, elimination, unsuitable
}

public enum LeadDecision: String, Sendable, Codable, CaseIterable, APIEnum {
    case identification, inconclusive, elimination, unsuitable
}

/// A lead from an imaging correlation between two exhibits; an identification not withdrawn is a hit.
public struct Lead: Sendable, Codable, Equatable {
    public var id: UUID
    public var exhibitA: UUID
    public var exhibitB: UUID
    public var sourceSystem: ImagingSystem
    public var sourceReference: String
    public var score: Double?
    public var status: LeadStatus
    public var examinationID: UUID?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionNote: String?
    /// An elimination between two exhibits whose cases one cluster already joins.
    public var flaggedForReview: Bool
    public var withdrawnBy: String?
    public var withdrawnAt: Date?
    public var withdrawalReason: String?
    public var createdBy: String
    public var createdAt: Date
    public var version: Int
    /// Days from the later exhibit's receipt in the lab to its first acquisition (null without one).
    public var recoveryToAcquisitionDays: Int?
    /// Days from that acquisition to the lead.
    public var acquisitionToLeadDays: Int?
    /// Days from the lead to its decision, or to now while it is open.
    public var leadToDecisionDays: Double
    /// The current decision (its record in `GET /v1/leads/{id}/decisions`); null while open.
    public var decisionID: UUID?

    enum CodingKeys: String, CodingKey {
        case id, score, status, version
        case decisionID = "decision_id"
        case exhibitA = "exhibit_a", exhibitB = "exhibit_b", sourceSystem = "source_system", sourceReference = "source_reference"
        case examinationID = "examination_id", decidedBy = "decided_by", decidedAt = "decided_at", decisionNote = "decision_note"
        case flaggedForReview = "flagged_for_review", withdrawnBy = "withdrawn_by", withdrawnAt = "withdrawn_at"
        case withdrawalReason = "withdrawal_reason", createdBy = "created_by", createdAt = "created_at"
        case recoveryToAcquisitionDays = "recovery_to_acquisition_days", acquisitionToLeadDays = "acquisition_to_lead_days"
        case leadToDecisionDays = "lead_to_decision_days"
    }

    /// A current hit: an identification not withdrawn.
    public var isHit: Bool { status == .identification && withdrawnAt == nil }
}

public struct NewLead: Sendable, Equatable {
    public var exhibitA: UUID
    public var exhibitB: UUID
    public var sourceSystem: ImagingSystem
    public var sourceReference: String
    public var score: Double?
}

/// One decision on a lead, kept for ever: the first, or a correction naming the decision it
/// replaces with the reason. The last is the lead's current decision.
public struct LeadDecisionRecord: Sendable, Codable, Equatable {
    public var id: UUID
    public var leadID: UUID
    public var decision: LeadDecision
    public var examinationID: UUID?
    public var note: String?
    public var flaggedForReview: Bool
    public var replacesID: UUID?
    public var reason: String?
    public var decidedBy: String
    public var decidedAt: Date
    /// Whether it is the lead's current decision (no later one replaces it).
    public var current: Bool

    enum CodingKeys: String, CodingKey {
        case id, decision, note, reason, current
        case leadID = "lead_id", examinationID = "examination_id", flaggedForReview = "flagged_for_review", replacesID = "replaces_id"
        case decidedBy = "decided_by", decidedAt = "decided_at"
    }
}

/// A case in a cluster.
public struct ClusterCase: Sendable, Encodable {
    public var id: UUID
    public var reference: String?
}

/// A recovered firearm whose test-fire is hit to the cluster.
public struct ClusterFirearm: Sendable, Encodable {
    public var exhibitID: UUID
    public var exhibitReference: String
    public var firearmID: UUID?

    enum CodingKeys: String, CodingKey {
        case exhibitID = "exhibit_id", exhibitReference = "exhibit_reference", firearmID = "firearm_id"
    }
}

/// The cases one gun joins: derived from the current hits, transitively.
public struct Cluster: Sendable, Encodable {
    public var caseID: UUID
    public var cases: [ClusterCase]
    public var exhibits: [Exhibit]
    public var hits: [Lead]
    public var firearms: [ClusterFirearm]
    /// Eliminations between exhibits of cases the cluster joins: for review.
    public var flaggedEliminations: [Lead]
    /// Cases of the cluster the caller may not see: counted, never named (nor their exhibits and hits).
    public var withheldCases: Int

    enum CodingKeys: String, CodingKey {
        case cases, exhibits, hits, firearms
        case caseID = "case_id", flaggedEliminations = "flagged_eliminations", withheldCases = "withheld_cases"
    }
}
