import Foundation
import IFCCore

/// Where a case stands in the lab; which may follow which is `CaseStatus.next` (Rules/).
public enum CaseStatus: String, Sendable, Codable, CaseIterable, APIEnum {
    case received
    case underExamination = "under_examination"
    /// Its report is being reviewed (a review recorded, not yet issued).
    case inReview = "in_review"
    case reported, closed
}

/// Who may know of the case beyond the lab and the submitter.
public enum Confidentiality: String, Sendable, Codable, CaseIterable, APIEnum {
    case standard, restricted, confidential, secret
}

/// The examinations a lab performs on firearms and ammunition.
public enum ExaminationKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case serialNumberRestoration = "serial_number_restoration"
    case operability, comparison
    case ammunitionIdentification = "ammunition_identification"
    case triggerPull = "trigger_pull"
    case other
}

/// The fields of a case a submitter gives and an examiner may correct.
public struct CaseFields: Sendable, Equatable {
    public var submittingAgency: String
    public var officer: String
    public var agencyCaseNumber: String?
    public var offence: String
    public var incidentOn: CalendarDate?
    public var incidentCountry: Country?
    public var incidentPlace: String?
    public var receivedOn: CalendarDate
    public var confidentiality: Confidentiality
    public var requestedExaminations: [ExaminationKind]
    public var seizureIDs: [UUID]
    public var notes: String?

    public init(submittingAgency: String, officer: String, agencyCaseNumber: String? = nil, offence: String,
                incidentOn: CalendarDate? = nil, incidentCountry: Country? = nil, incidentPlace: String? = nil,
                receivedOn: CalendarDate, confidentiality: Confidentiality, requestedExaminations: [ExaminationKind],
                seizureIDs: [UUID], notes: String? = nil) {
        self.submittingAgency = submittingAgency
        self.officer = officer
        self.agencyCaseNumber = agencyCaseNumber
        self.offence = offence
        self.incidentOn = incidentOn
        self.incidentCountry = incidentCountry
        self.incidentPlace = incidentPlace
        self.receivedOn = receivedOn
        self.confidentiality = confidentiality
        self.requestedExaminations = requestedExaminations
        self.seizureIDs = seizureIDs
        self.notes = notes
    }
}

/// A forensic case (`FC-2026-000123`) as the API shows it.
public struct ForensicCase: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var submittingAgency: String
    public var officer: String
    public var agencyCaseNumber: String?
    public var offence: String
    public var incidentOn: CalendarDate?
    public var incidentCountry: Country?
    public var incidentPlace: String?
    public var receivedOn: CalendarDate
    public var status: CaseStatus
    public var confidentiality: Confidentiality
    public var requestedExaminations: [ExaminationKind]
    public var seizureIDs: [UUID]
    public var notes: String?
    public var createdBy: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, reference: String, submittingAgency: String, officer: String, agencyCaseNumber: String? = nil,
                offence: String, incidentOn: CalendarDate? = nil, incidentCountry: Country? = nil, incidentPlace: String? = nil,
                receivedOn: CalendarDate, status: CaseStatus, confidentiality: Confidentiality,
                requestedExaminations: [ExaminationKind], seizureIDs: [UUID], notes: String? = nil, createdBy: String,
                version: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.reference = reference
        self.submittingAgency = submittingAgency
        self.officer = officer
        self.agencyCaseNumber = agencyCaseNumber
        self.offence = offence
        self.incidentOn = incidentOn
        self.incidentCountry = incidentCountry
        self.incidentPlace = incidentPlace
        self.receivedOn = receivedOn
        self.status = status
        self.confidentiality = confidentiality
        self.requestedExaminations = requestedExaminations
        self.seizureIDs = seizureIDs
        self.notes = notes
        self.createdBy = createdBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, officer, offence, status, confidentiality, notes, version
        case submittingAgency = "submitting_agency", agencyCaseNumber = "agency_case_number", incidentOn = "incident_on"
        case incidentCountry = "incident_country", incidentPlace = "incident_place", receivedOn = "received_on"
        case requestedExaminations = "requested_examinations", seizureIDs = "seizure_ids", createdBy = "created_by"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public var fields: CaseFields {
        CaseFields(submittingAgency: submittingAgency, officer: officer, agencyCaseNumber: agencyCaseNumber, offence: offence,
                   incidentOn: incidentOn, incidentCountry: incidentCountry, incidentPlace: incidentPlace, receivedOn: receivedOn,
                   confidentiality: confidentiality, requestedExaminations: requestedExaminations, seizureIDs: seizureIDs, notes: notes)
    }
}

/// What a case may be linked to.
public enum CaseLinkKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case firearm, seizure
    case `case`
}

/// A link from a case to a registry firearm, a seizure or another case, with its reason.
/// Links are never changed or removed.
public struct CaseLink: Sendable, Codable, Equatable {
    public var id: UUID
    public var caseID: UUID
    public var kind: CaseLinkKind
    public var targetID: UUID
    public var targetReference: String
    public var reason: String
    public var createdBy: String
    public var createdAt: Date

    public init(id: UUID, caseID: UUID, kind: CaseLinkKind, targetID: UUID, targetReference: String, reason: String,
                createdBy: String, createdAt: Date) {
        self.id = id
        self.caseID = caseID
        self.kind = kind
        self.targetID = targetID
        self.targetReference = targetReference
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, reason
        case caseID = "case_id", targetID = "target_id", targetReference = "target_reference", createdBy = "created_by"
        case createdAt = "created_at"
    }
}
