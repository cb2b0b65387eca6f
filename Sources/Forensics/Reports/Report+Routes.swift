import Foundation
import Hummingbird
import ForensicsAPI
import IFCCore
import IFCHTTP

extension Forensics {
    func addReportRoutes(to routes: RouteRegistry) {
        let forms: [String: JSONValue] = ["text/html": ["schema": ["type": "string"]]]
        routes.add(RouteSpec(.get, "/v1/cases/{id}/report", id: "getCaseReport",
                             summary: "The case's report as it stands, not yet issued: JSON (Accept: application/json) or a print-ready page (Accept: text/html)",
                             tag: name, access: Self.caseReaders, parameters: [.id()],
                             replies: [200: .init("the draft, with the reviews of exactly this content", schema: Schema.ref("ReportDraft"),
                                                  alternatives: forms),
                                       404: .problem("no such case"), 406: .problem("neither JSON nor HTML is acceptable")])) { request, context, principal in
            let form = try PrintableForm(request)
            let draft = try await self.reportDraft(caseID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            if form == .html { return .printable(try self.draftPage(draft), form: .html) }
            return try Response.json(draft)
        }
        routes.add(RouteSpec(.post, "/v1/cases/{id}/reviews", id: "reviewCaseReport",
                             summary: "Review the draft read from GET /v1/cases/{id}/report (technical or administrative): approve it or return it",
                             tag: name, access: Self.caseWriters, parameters: [.id()], body: Schema.ref("NewReportReview"),
                             replies: [201: .init("recorded", schema: Schema.ref("ReportReview")), 404: .problem("no such case"),
                                       409: .problem("the report changed since it was read, the case is not under examination or reported, or a technical reviewer did examinations of the case")])) { request, context, principal in
            let body = try await JSONBody.decode(ReviewBody.self, from: request, context: context)
            let review = try await self.reviewReport(caseID: try context.parameters.requireUUID("id"), kind: body.kind, outcome: body.outcome,
                                                     contentSHA256: body.contentSHA256, note: body.note, by: principal,
                                                     requestID: context.requestID)
            return try Response.json(review, status: .created)
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}/reviews", id: "listCaseReportReviews", summary: "Every review of the case's report, newest first",
                             tag: name, access: Self.caseReaders, parameters: [.id()],
                             replies: [200: .init("the reviews", schema: Schema.array(Schema.ref("ReportReview"))),
                                       404: .problem("no such case")])) { _, context, principal in
            try Response.json(try await self.reportReviews(caseID: try context.parameters.requireUUID("id"), by: principal,
                                                           requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/cases/{id}/reports", id: "issueCaseReport",
                             summary: "Issue the draft read (content_sha256) as the next numbered version, frozen; an amendment names the version it replaces",
                             tag: name, access: Self.caseWriters, parameters: [.id()], body: Schema.ref("NewReportIssue"),
                             replies: [201: .init("issued", schema: Schema.ref("IssuedReport"), headers: ["Location", "Repr-Digest"]),
                                       403: .problem("the role is not held, or the caller is not a member of the case's team"),
                                       404: .problem("no such case"),
                                       409: .problem("reviews missing, the report changed since it was read, examinations open, or not the latest version")])) { request, context, principal in
            let body = try await JSONBody.decode(IssueBody.self, from: request, context: context)
            let caseID = try context.parameters.requireUUID("id")
            let report = try await self.issueReport(caseID: caseID, contentSHA256: body.contentSHA256, replaces: body.replaces,
                                                    amendmentReason: body.amendmentReason, by: principal, requestID: context.requestID)
            let json = String(decoding: try JSONCoding.encoder.encode(report), as: UTF8.self)
            return .printable(json, form: .json, status: .created,
                              headers: [(.location, "/v1/cases/\(caseID.uuidString.lowercased())/reports/\(report.version)"),
                                        (.reprDigest, ReportDigest.header(json))])
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}/reports", id: "listCaseReports", summary: "The case's issued report versions, oldest first, with their digests",
                             tag: name, access: Self.caseReaders, parameters: [.id()],
                             replies: [200: .init("the versions", schema: Schema.array(Schema.ref("ReportVersion"))),
                                       404: .problem("no such case")])) { _, context, principal in
            try Response.json(try await self.reportVersions(caseID: try context.parameters.requireUUID("id"), by: principal,
                                                            requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}/reports/{version}", id: "getIssuedCaseReport",
                             summary: "An issued version exactly as issued: its JSON or its printed page, with the digest stored at issue",
                             tag: name, access: Self.caseReaders,
                             parameters: [.id(), .init("version", in: .path, required: true, schema: ["type": "integer", "minimum": 1, "maximum": 100000],
                                                       "the version number")],
                             replies: [200: .init("the version as issued", schema: Schema.ref("IssuedReport"), headers: ["Repr-Digest"],
                                                  alternatives: forms),
                                       404: .problem("no such case or version"), 406: .problem("neither JSON nor HTML is acceptable")])) { request, context, principal in
            let form = try PrintableForm(request)
            guard let raw = context.parameters.get("version"), let version = Int(raw), (1...100_000).contains(version) else {
                throw Problem.invalid("version", "must be a version number, 1 or more")
            }
            let (_, text) = try await self.issuedReport(caseID: try context.parameters.requireUUID("id"), version: version,
                                                        form: form == .html ? .html : .json, by: principal, requestID: context.requestID)
            return .printable(text, form: form, headers: [(.reprDigest, ReportDigest.header(text))])
        }
    }
}
