import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/exhibits/{id}/acquisitions`.
struct AcquisitionBody: StrictBody {
    var system: ImagingSystem
    var network: ImagingNetwork
    var acquiredOn: CalendarDate
    var systemReference: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case system, network
        case acquiredOn = "acquired_on", systemReference = "system_reference"
    }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(systemReference, "system_reference", max: 100)
        try checks.throwIfAny()
    }

    var value: NewAcquisition { NewAcquisition(system: system, network: network, acquiredOn: acquiredOn, systemReference: systemReference) }
}

/// The JSON body of `POST /v1/leads`.
struct LeadBody: StrictBody {
    var exhibitA: UUID
    var exhibitB: UUID
    var sourceSystem: ImagingSystem
    var sourceReference: String
    var score: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case score
        case exhibitA = "exhibit_a", exhibitB = "exhibit_b", sourceSystem = "source_system", sourceReference = "source_reference"
    }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(sourceReference, "source_reference", max: 100)
        if let score, !(score >= 0 && score <= 1_000_000) { checks.add("score", "must be from 0 to 1000000") }
        try checks.throwIfAny()
    }

    var value: NewLead { NewLead(exhibitA: exhibitA, exhibitB: exhibitB, sourceSystem: sourceSystem, sourceReference: sourceReference, score: score) }
}

/// The JSON body of `POST /v1/leads/{id}/decision`.
struct DecisionBody: StrictBody {
    var decision: LeadDecision
    var examinationID: UUID?
    var note: String?
    /// A correction: the current decision it replaces, and why.
    var replaces: UUID?
    var reason: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case decision, note, replaces, reason
        case examinationID = "examination_id"
    }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(note, "note", max: 2000)
        checks.text(reason, "reason", max: 2000)
        try checks.throwIfAny()
    }
}

/// The JSON body of `POST /v1/leads/{id}/withdrawal`.
struct WithdrawalBody: StrictBody {
    var reason: String

    enum CodingKeys: String, CodingKey, CaseIterable { case reason }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(reason, "reason", max: 2000)
        try checks.throwIfAny()
    }
}
