import Foundation
import ForensicsAPI
import IFCCore

enum CaseLimits {
    static let seizures = 100
}

extension CaseStatus {
    /// The statuses a case may be moved to by hand (`PATCH`): a report under review may go back to
    /// the work, a report may be reopened for an amendment; nothing follows closure. The work moves
    /// it too (`Forensics.advance`): an examination started, a review, the issue.
    var next: Set<CaseStatus> {
        switch self {
        case .received: [.underExamination, .closed]
        case .underExamination: [.reported, .closed]
        case .inReview: [.underExamination, .reported, .closed]
        case .reported: [.underExamination, .closed]
        case .closed: []
        }
    }
}

extension CaseFields {
    /// Every rule that needs no database, each failure naming its field.
    func problems(today: CalendarDate) -> [Problem.FieldError] {
        var rules = FieldRules()
        rules.text(submittingAgency, "submitting_agency", max: 200)
        rules.text(officer, "officer", max: 200)
        rules.text(agencyCaseNumber, "agency_case_number", max: 100)
        rules.text(offence, "offence", max: 300)
        rules.text(incidentPlace, "incident_place", max: 300)
        rules.notFuture(incidentOn, "incident_on", today: today)
        rules.notFuture(receivedOn, "received_on", today: today)
        if let incidentOn, incidentOn > receivedOn { rules.add("incident_on", "is after received_on") }
        if Set(requestedExaminations).count != requestedExaminations.count {
            rules.add("requested_examinations", "names a kind twice")
        }
        if seizureIDs.count > CaseLimits.seizures { rules.add("seizure_ids", "must list at most \(CaseLimits.seizures) seizures") }
        if Set(seizureIDs).count != seizureIDs.count { rules.add("seizure_ids", "names a seizure twice") }
        if let notes, notes.unicodeScalars.count > 4000 { rules.add("notes", "must be at most 4000 characters") }
        return rules.list
    }
}
