import Foundation
import ForensicsAPI
import IFCCore
import RegistryAPI

/// The two reviews an accredited lab makes of a report before it is issued (ISO/IEC 17025
/// §7.7–7.8): a technical review of the examinations and conclusions, an administrative review
/// of the document; each by an examiner other than the author.
public enum ReviewKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case technical, administrative
}

public enum ReviewOutcome: String, Sendable, Codable, CaseIterable, APIEnum {
    /// The reviewer approves the draft as read (its `content_sha256`).
    case approved
    /// The reviewer sends it back; the note says why.
    case returned
}

/// A review of the case's report as it stood when the reviewer read it (`content_sha256`).
public struct ReportReview: Sendable, Codable, Equatable {
    public var id: UUID
    public var caseID: UUID
    public var kind: ReviewKind
    public var outcome: ReviewOutcome
    public var reviewer: String
    public var contentSHA256: String
    public var note: String?
    public var reviewedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, outcome, reviewer, note
        case caseID = "case_id", contentSHA256 = "content_sha256", reviewedAt = "reviewed_at"
    }
}

/// What a forensic report says (ISO/IEC 17025 §7.8.2): the submitter and the case, the items
/// received with their condition, the examinations with methods, dates and results, the links,
/// and the statement that the results relate only to the items examined. Its SHA-256 over the
/// canonical JSON (sorted keys) is what reviewers approve and what an issued version freezes.
public struct ReportContent: Sendable, Codable, Equatable {
    public var laboratory: String
    public var caseReference: String
    public var submitter: Submitter
    public var offence: String
    public var incidentOn: CalendarDate?
    public var incidentCountry: Country?
    public var incidentPlace: String?
    public var receivedOn: CalendarDate
    public var confidentiality: Confidentiality
    public var requestedExaminations: [ExaminationKind]
    public var seizures: [SeizureSummary]
    public var items: [Item]
    /// The exhibits the lab recorded for the case, with their condition on receipt and custody.
    public var exhibits: [ReportExhibit]
    public var examinations: [ExaminationSummary]
    public var examinedFrom: CalendarDate?
    public var examinedTo: CalendarDate?
    public var links: [LinkSummary]
    public var statement: String

    public static let itemsStatement = "The results in this report relate only to the items examined, as they were received."

    public struct Submitter: Sendable, Codable, Equatable {
        public var agency: String
        public var officer: String
        public var agencyCaseNumber: String?
        enum CodingKeys: String, CodingKey {
            case agency, officer
            case agencyCaseNumber = "agency_case_number"
        }
    }

    public struct SeizureSummary: Sendable, Codable, Equatable {
        public var reference: String
        public var agency: String
        public var seizedOn: CalendarDate
        public var country: Country
        public var place: String?
        public var context: SeizureContext
        enum CodingKeys: String, CodingKey {
            case reference, agency, country, place, context
            case seizedOn = "seized_on"
        }
    }

    /// An item received: a firearm (with its registry identity), parts or ammunition from a
    /// seizure. Its condition on receipt is the exhibit record's, once exhibits are recorded.
    public struct Item: Sendable, Codable, Equatable {
        public var seizure: String
        public var kind: String
        public var description: String
        public var quantity: Int
        public var registryReference: String?
        public var conditionOnReceipt: String?
        enum CodingKeys: String, CodingKey {
            case seizure, kind, description, quantity
            case registryReference = "registry_reference", conditionOnReceipt = "condition_on_receipt"
        }
    }

    public struct ExaminationSummary: Sendable, Codable, Equatable {
        public var id: UUID
        public var kind: ExaminationKind
        public var method: String?
        public var examiner: String
        public var requestedOn: CalendarDate?
        public var startedOn: CalendarDate?
        public var completedOn: CalendarDate?
        public var result: String?
        public var afteConclusion: AFTEConclusion?
        public var eliminationReason: String?
        public var verifiedBy: String?
        public var recoveredSerial: String?
        public var partExamined: MarkingPart?
        public var confirmedFirearm: String?
        enum CodingKeys: String, CodingKey {
            case id, kind, method, examiner, result
            case requestedOn = "requested_on", startedOn = "started_on", completedOn = "completed_on"
            case afteConclusion = "afte_conclusion", eliminationReason = "elimination_reason", verifiedBy = "verified_by"
            case recoveredSerial = "recovered_serial", partExamined = "part_examined", confirmedFirearm = "confirmed_firearm"
        }
    }

    public struct LinkSummary: Sendable, Codable, Equatable {
        public var kind: CaseLinkKind
        public var reference: String
        public var reason: String
    }

    enum CodingKeys: String, CodingKey {
        case laboratory, submitter, offence, confidentiality, seizures, items, exhibits, examinations, links, statement
        case caseReference = "case_reference", incidentOn = "incident_on", incidentCountry = "incident_country"
        case incidentPlace = "incident_place", receivedOn = "received_on", requestedExaminations = "requested_examinations"
        case examinedFrom = "examined_from", examinedTo = "examined_to"
    }
}

/// The case's report as it stands, not yet issued: what a reviewer reads and approves.
public struct ReportDraft: Sendable, Codable, Equatable {
    public var caseID: UUID
    public var status: String = "draft"
    public var number: String?
    public var nextVersion: Int
    public var contentSHA256: String
    /// Reviews of exactly this content, newest first.
    public var reviews: [ReportReview]
    public var content: ReportContent

    enum CodingKeys: String, CodingKey {
        case status, number, reviews, content
        case caseID = "case_id", nextVersion = "next_version", contentSHA256 = "content_sha256"
    }
}

/// An issued version, frozen: its JSON and its printed page are stored as issued, with the
/// SHA-256 of each, and never change. An amendment is a new version naming the one it replaces.
public struct IssuedReport: Sendable, Codable, Equatable {
    public var caseID: UUID
    public var number: String
    public var version: Int
    public var replaces: Int?
    public var amendmentReason: String?
    public var issuedAt: Date
    /// The examiner who wrote and authorised it (ISO/IEC 17025 §7.8.2.1 o).
    public var authorisedBy: String
    public var technicalReview: ReportReview
    public var administrativeReview: ReportReview
    public var contentSHA256: String
    public var content: ReportContent

    enum CodingKeys: String, CodingKey {
        case number, version, replaces, content
        case caseID = "case_id", amendmentReason = "amendment_reason", issuedAt = "issued_at", authorisedBy = "authorised_by"
        case technicalReview = "technical_review", administrativeReview = "administrative_review", contentSHA256 = "content_sha256"
    }
}

/// An issued version as listed: its numbers and the digests of what was issued.
public struct ReportVersion: Sendable, Codable, Equatable {
    public var number: String
    public var version: Int
    public var replaces: Int?
    public var amendmentReason: String?
    public var issuedAt: Date
    public var authorisedBy: String
    public var jsonSHA256: String
    public var htmlSHA256: String

    enum CodingKeys: String, CodingKey {
        case number, version, replaces
        case amendmentReason = "amendment_reason", issuedAt = "issued_at", authorisedBy = "authorised_by"
        case jsonSHA256 = "json_sha256", htmlSHA256 = "html_sha256"
    }
}
