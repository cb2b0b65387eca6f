import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Reviewing and issuing a case's report. The draft is assembled from the records as they
/// stand; a review approves one draft (its SHA-256); an issue freezes that draft, with both
/// approvals, as a numbered version whose JSON and printed page are stored with their digests.
extension Forensics {
    /// The registry records of the case's seized firearms, read through the registry's API
    /// (each read audited as the caller's).
    func seizedFirearms(of seizures: [Seizure], by principal: Principal, requestID: String?) async throws -> [UUID: Firearm] {
        var firearms: [UUID: Firearm] = [:]
        for seized in seizures.flatMap(\.firearms) where firearms[seized.firearmID] == nil {
            if let firearm = try await registry.firearm(id: seized.firearmID, by: principal, requestID: requestID) {
                firearms[firearm.id] = firearm
            }
        }
        return firearms
    }

    /// The report content of case `caseID` on `connection` (the case locked when `forUpdate`).
    func reportContent(caseID: UUID, reads: OutsideReads, forUpdate: Bool, by principal: Principal, requestID: String?,
                       on connection: PostgresConnection) async throws -> (ForensicCase, [Seizure], ReportContent) {
        let owner = try await requireVisibleCase(caseID, by: principal, requestID: requestID, forUpdate: forUpdate, on: connection)
        var seizures: [Seizure] = []
        for id in owner.seizureIDs {
            if let seizure = try await SeizureStore.find(id: id, on: connection) { seizures.append(seizure) }
        }
        let content = ReportContent.assemble(laboratory: laboratory, case: owner, seizures: seizures, firearms: reads.firearms,
                                             exhibits: reads.exhibits, examinations: try await ExaminationStore.list(caseID: caseID, on: connection),
                                             links: try await CaseStore.links(caseID: caseID, as: CaseViewer(principal), on: connection))
        return (owner, seizures, content)
    }

    /// What a report takes from other modules, read through their APIs before the transaction.
    struct OutsideReads: Sendable {
        var firearms: [UUID: Firearm]
        var exhibits: [ReportExhibit]
    }

    /// Reads the seizures' firearms (through the registry's API) and the case's exhibits
    /// (through the exhibits module, when attached) first, outside the write transaction, then
    /// runs `work` with them.
    func withSeizedFirearms<T>(caseID: UUID, by principal: Principal, requestID: String?,
                               _ work: (OutsideReads) async throws -> T) async throws -> T {
        let seizures = try await database.withConnection { connection -> [Seizure] in
            let owner = try await self.requireVisibleCase(caseID, by: principal, requestID: requestID, on: connection)
            var seizures: [Seizure] = []
            for id in owner.seizureIDs {
                if let seizure = try await SeizureStore.find(id: id, on: connection) { seizures.append(seizure) }
            }
            return seizures
        }
        let firearms = try await seizedFirearms(of: seizures, by: principal, requestID: requestID)
        let exhibits = try await exhibitSource.reportExhibits(caseID: caseID, by: principal, requestID: requestID)
        return try await work(OutsideReads(firearms: firearms, exhibits: exhibits))
    }

    /// The report as it stands, with the reviews of exactly this content.
    public func reportDraft(caseID: UUID, by principal: Principal, requestID: String?) async throws -> ReportDraft {
        let draft = try await withSeizedFirearms(caseID: caseID, by: principal, requestID: requestID) { reads in
            try await database.withConnection { connection -> ReportDraft in
                let (_, _, content) = try await reportContent(caseID: caseID, reads: reads, forUpdate: false, by: principal, requestID: requestID, on: connection)
                let digest = try content.digest()
                let versions = try await ReportStore.versions(caseID: caseID, on: connection)
                return ReportDraft(caseID: caseID, number: versions.last?.number, nextVersion: (versions.last?.version ?? 0) + 1,
                                   contentSHA256: digest,
                                   reviews: try await ReportStore.reviews(caseID: caseID, contentSHA256: digest, on: connection),
                                   content: content)
            }
        }
        try await audit.record(AuditEntry(principal: principal, action: "report.read", recordType: "case", recordID: caseID.uuidString,
                                          requestID: requestID,
                                          detail: AuditEntry.detail(["form": "draft", "content_sha256": draft.contentSHA256])))
        return draft
    }

    /// A review of the draft the reviewer read (`contentSHA256`); 409 when the report has
    /// changed since, or the case is not at a stage where a report is reviewed.
    public func reviewReport(caseID: UUID, kind: ReviewKind, outcome: ReviewOutcome, contentSHA256: String, note: String?,
                             by principal: Principal, requestID: String?) async throws -> ReportReview {
        try await withSeizedFirearms(caseID: caseID, by: principal, requestID: requestID) { reads in
            try await database.transaction { connection in
                let (owner, _, content) = try await reportContent(caseID: caseID, reads: reads, forUpdate: true, by: principal, requestID: requestID, on: connection)
                try Self.checkReportable(owner)
                try Self.checkSameDraft(content, read: contentSHA256)
                // The technical review is independent of the work: no examiner of the case's examinations gives it.
                if kind == .technical, try await ExaminationStore.list(caseID: caseID, on: connection).contains(where: { $0.examiner == principal.username }) {
                    throw Self.technicalReviewerNotIndependent(principal.username)
                }
                // ... and by an examiner authorised, today, for every kind of examination the case holds.
                if kind == .technical {
                    for examined in Set(try await ExaminationStore.list(caseID: caseID, on: connection).map(\.kind)) {
                        try await Self.requireAuthorised(principal.username, for: examined, on: nil, doing: "the technical review of this case",
                                                         on: connection)
                    }
                }
                let review: ReportReview
                do {
                    review = try await ReportStore.insertReview(id: UUID(), caseID: caseID, kind: kind, outcome: outcome,
                                                                reviewer: principal.username, contentSHA256: contentSHA256, note: note,
                                                                on: connection)
                } catch let error as PSQLError where error.serverInfo?[.constraintName] == "report_technical_reviewer_independent" {
                    throw Self.technicalReviewerNotIndependent(principal.username)
                } catch let error as PSQLError where Self.authorisationConstraints.contains(error.serverInfo?[.constraintName] ?? "") {
                    throw Self.notAuthorised(error.serverInfo?[.message] ?? "the technical reviewer is not authorised for this case's examinations")
                }
                try await AuditLog.append(AuditEntry(principal: principal, action: "report.review", recordType: "case",
                                                     recordID: caseID.uuidString, requestID: requestID,
                                                     detail: AuditEntry.detail(["kind": kind.rawValue, "outcome": outcome.rawValue,
                                                                                "content_sha256": contentSHA256])),
                                          on: connection)
                try await Self.advance(owner, to: .inReview, from: [.underExamination, .reported],
                                       because: "\(kind.rawValue) review of the report recorded", by: principal, requestID: requestID, on: connection)
                return review
            }
        }
    }

    static func technicalReviewerNotIndependent(_ reviewer: String) -> Problem {
        Problem.conflict("\(reviewer) did examinations of this case: its technical review is given by an examiner who did none of them",
                         slug: "technical-reviewer-not-independent")
    }

    /// Issues the draft the author read (`contentSHA256`) as the next version of the case's
    /// report. The first issue moves the case to `reported`.
    public func issueReport(caseID: UUID, contentSHA256: String, replaces: Int?, amendmentReason: String?,
                            by principal: Principal, requestID: String?) async throws -> IssuedReport {
        let now = environment.now()
        let templates = try Self.templates.get()
        return try await withSeizedFirearms(caseID: caseID, by: principal, requestID: requestID) { reads in
            try await database.transaction { connection in
                let (owner, _, content) = try await reportContent(caseID: caseID, reads: reads, forUpdate: true, by: principal, requestID: requestID, on: connection)
                try Self.checkReportable(owner)
                // The issuer is a member of the case's team (when it has one: cases recorded before teams have none).
                if try await CaseMemberStore.currentCount(caseID, on: connection) > 0,
                   try await !CaseMemberStore.isCurrentMember(caseID, userID: principal.userID, on: connection) {
                    throw Problem(slug: "issuer-not-member", title: "Forbidden", status: 403,
                                  detail: "a report of case \(owner.reference) is issued by a member of its team")
                }
                try await Self.checkReadyFor(.reported, caseID: caseID, on: connection)
                try Self.checkSameDraft(content, read: contentSHA256)
                let versions = try await ReportStore.versions(caseID: caseID, on: connection)
                try ReportRules.checkAmendment(latest: versions.last?.version, replaces: replaces, amendmentReason: amendmentReason)
                let reviews = try await ReportStore.reviews(caseID: caseID, contentSHA256: contentSHA256, on: connection)
                let (technical, administrative) = try ReportRules.approvals(reviews, author: principal.username)
                let number = if let latest = versions.last { latest.number } else {
                    try await Self.reportReferences.next(at: now, on: connection)
                }
                let report = IssuedReport(caseID: caseID, number: number, version: (versions.last?.version ?? 0) + 1, replaces: replaces,
                                          amendmentReason: amendmentReason, issuedAt: Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded(.down) / 1000),
                                          authorisedBy: principal.username, technicalReview: technical,
                                          administrativeReview: administrative, contentSHA256: contentSHA256, content: content)
                let json = String(decoding: try JSONCoding.encoder.encode(report), as: UTF8.self)
                let html = try templates.render("forensic-report", ReportPage(report: report, draft: false))
                let (jsonSHA256, htmlSHA256) = (ReportDigest.hex(Data(json.utf8)), ReportDigest.hex(Data(html.utf8)))
                try await ReportStore.insertReport(report, json: json, jsonSHA256: jsonSHA256, html: html, htmlSHA256: htmlSHA256,
                                                   on: connection)
                if owner.status == .underExamination || owner.status == .inReview {
                    let updated = try await CaseStore.update(id: caseID, CaseRevision(fields: owner.fields, status: .reported), on: connection)
                    try await CaseStore.history.append(updated, id: caseID, version: updated.version,
                                                       change: "reported: \(number) version \(report.version) issued", by: principal,
                                                       on: connection)
                }
                try await AuditLog.append(AuditEntry(principal: principal, action: "report.issue", recordType: "case",
                                                     recordID: caseID.uuidString, requestID: requestID,
                                                     detail: AuditEntry.detail(["number": number, "version": "\(report.version)",
                                                                                "json_sha256": jsonSHA256, "html_sha256": htmlSHA256])),
                                          on: connection)
                return report
            }
        }
    }

    /// A report is reviewed and issued while the case is under examination or reported.
    static func checkReportable(_ owner: ForensicCase) throws {
        switch owner.status {
        case .underExamination, .inReview, .reported: return
        case .received:
            throw Problem.conflict("case \(owner.reference) is not under examination yet: there is nothing to report", slug: "case-not-examined")
        case .closed:
            throw Problem.conflict("case \(owner.reference) is closed: nothing about it changes", slug: "case-closed")
        }
    }

    static func checkSameDraft(_ content: ReportContent, read: String) throws {
        let current = try content.digest()
        if current != read {
            throw Problem.conflict("the report changed since it was read (it is now \(current)): read it again", slug: "report-changed")
        }
    }

    /// The case's issued versions, oldest first.
    public func reportVersions(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [ReportVersion] {
        let (exists, versions) = try await database.withConnection { connection in
            (try await self.visibleCase(caseID, by: principal, requestID: requestID, on: connection) != nil,
             try await ReportStore.versions(caseID: caseID, on: connection))
        }
        guard exists else { throw Problem.notFound("no case \(caseID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "report.list", recordType: "case", recordID: caseID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["versions": "\(versions.count)"])))
        return versions
    }

    /// An issued version exactly as issued, in the form asked for.
    public func issuedReport(caseID: UUID, version: Int, form: PrintableFormName, by principal: Principal,
                             requestID: String?) async throws -> (ReportVersion, String) {
        guard let (summary, json, html) = try await database.withConnection({ connection in
            _ = try await self.requireVisibleCase(caseID, by: principal, requestID: requestID, on: connection)
            return try await ReportStore.issued(caseID: caseID, version: version, on: connection)
        }) else {
            throw Problem.notFound("case \(caseID.uuidString.lowercased()) has no issued report version \(version)")
        }
        try await audit.record(AuditEntry(principal: principal, action: "report.read", recordType: "case", recordID: caseID.uuidString,
                                          requestID: requestID,
                                          detail: AuditEntry.detail(["number": summary.number, "version": "\(version)", "form": form.rawValue])))
        return (summary, form == .html ? html : json)
    }

    /// The draft's printed page.
    func draftPage(_ draft: ReportDraft) throws -> String {
        try Self.templates.get().render("forensic-report", ReportPage(draft: draft))
    }
}

/// The form a stored report is read in (for its audit entry).
public enum PrintableFormName: String, Sendable {
    case json, html
}

/// What the report template is given: the issued report, or the draft with its banner.
struct ReportPage: Encodable {
    var number: String?
    var version: Int?
    var replaces: Int?
    var amendmentReason: String?
    var issuedAt: Date?
    var authorisedBy: String?
    var technicalReview: ReportReview?
    var administrativeReview: ReportReview?
    var contentSHA256: String
    var draft: Bool
    var content: ReportContent

    init(report: IssuedReport, draft: Bool) {
        number = report.number
        version = report.version
        replaces = report.replaces
        amendmentReason = report.amendmentReason
        issuedAt = report.issuedAt
        authorisedBy = report.authorisedBy
        technicalReview = report.technicalReview
        administrativeReview = report.administrativeReview
        contentSHA256 = report.contentSHA256
        self.draft = draft
        content = report.content
    }

    init(draft: ReportDraft) {
        number = draft.number
        version = draft.nextVersion
        contentSHA256 = draft.contentSHA256
        self.draft = true
        content = draft.content
    }

    enum CodingKeys: String, CodingKey {
        case number, version, replaces, draft, content
        case amendmentReason = "amendment_reason", issuedAt = "issued_at", authorisedBy = "authorised_by"
        case technicalReview = "technical_review", administrativeReview = "administrative_review", contentSHA256 = "content_sha256"
    }
}

extension Forensics {
    public func reportReviews(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [ReportReview] {
        let (exists, reviews) = try await database.withConnection { connection in
            (try await self.visibleCase(caseID, by: principal, requestID: requestID, on: connection) != nil,
             try await ReportStore.reviews(caseID: caseID, on: connection))
        }
        guard exists else { throw Problem.notFound("no case \(caseID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "report.reviews", recordType: "case", recordID: caseID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["reviews": "\(reviews.count)"])))
        return reviews
    }
}
