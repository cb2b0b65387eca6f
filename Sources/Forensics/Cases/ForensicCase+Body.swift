import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/cases` (a correction's is `Patch<CaseRevision>`).
struct CaseBody: StrictBody {
    var submittingAgency: String?
    var officer: String?
    var agencyCaseNumber: String?
    var offence: String?
    var incidentOn: CalendarDate?
    var incidentCountry: Country?
    var incidentPlace: String?
    var receivedOn: CalendarDate?
    var confidentiality: Confidentiality?
    var requestedExaminations: [ExaminationKind]?
    var seizureIDs: [UUID]?
    var notes: String?
    var status: CaseStatus?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case officer, offence, confidentiality, notes, status
        case submittingAgency = "submitting_agency", agencyCaseNumber = "agency_case_number", incidentOn = "incident_on"
        case incidentCountry = "incident_country", incidentPlace = "incident_place", receivedOn = "received_on"
        case requestedExaminations = "requested_examinations", seizureIDs = "seizure_ids"
    }

    func newCase(today: CalendarDate) throws(Problem) -> CaseFields {
        var errors: [Problem.FieldError] = []
        for (value, field) in [(submittingAgency, "submitting_agency"), (officer, "officer"), (offence, "offence")] where value == nil {
            errors.append(.init(field: field, detail: "is required"))
        }
        if status != nil { errors.append(.init(field: "status", detail: "is not set on a new case: it starts as received")) }
        guard errors.isEmpty, let submittingAgency, let officer, let offence else { throw Problem.validation(errors) }
        return CaseFields(submittingAgency: submittingAgency, officer: officer, agencyCaseNumber: agencyCaseNumber, offence: offence,
                          incidentOn: incidentOn, incidentCountry: incidentCountry, incidentPlace: incidentPlace,
                          receivedOn: receivedOn ?? today, confidentiality: confidentiality ?? .standard,
                          requestedExaminations: requestedExaminations ?? [], seizureIDs: seizureIDs ?? [], notes: notes)
    }
}

/// The JSON body of `POST /v1/cases/{id}/links`.
struct CaseLinkBody: StrictBody {
    var kind: CaseLinkKind
    var targetID: UUID
    var reason: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, reason
        case targetID = "target_id"
    }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.text(reason, "reason", max: 1000)
        try rules.throwIfAny()
    }
}
