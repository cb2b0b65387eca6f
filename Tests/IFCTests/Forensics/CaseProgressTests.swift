import Foundation
import HTTPTypes
import IFCCore
import Testing

/// A case's status follows the work (issue 25): an examination started moves a received case
/// under examination, a review of its report moves it in review, issuing the report reports it;
/// each move is a version of the case saying what caused it, with a `case.status` audit entry.
@Suite("Forensics: the case status follows the work")
struct CaseProgressTests {
    static func status(_ app: TestApp, _ path: String, _ token: String) async throws -> String? {
        try await app.request(.get, path, token: token).object["status"] as? String
    }

    @Test("received until an examination starts; under examination once one does; in review at the first review; reported when issued; in review again for an amendment")
    func statusFollowsWork() async throws {
        try await withTestApp { app in
            let author = try await app.token(roles: [.examiner])
            let opened = try await ForensicsCaseTests.open(app, examiner: author)
            let path = "/v1/cases/\(try TracingTests.id(opened))"
            // Requested, not started: the case is still received.
            let planned = try await app.request(.post, path + "/examinations", token: author, json: #"{"kind":"operability","requested_on":"2025-03-02"}"#)
            #expect(planned.status == .created, "\(planned.text)")
            #expect(try await Self.status(app, path, author) == "received")
            // Its start recorded: under examination, in the same transaction as the change.
            let examination = try #require(try planned.object["id"] as? String)
            let started = try await app.request(.patch, "/v1/examinations/\(examination)", token: author,
                                                json: #"{"started_on":"2025-03-03","completed_on":"2025-03-04","result":"functions as designed"}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(started.status == .ok, "\(started.text)")
            #expect(try await Self.status(app, path, author) == "under_examination")
            let history = try ForensicsCaseTests.list(try await app.request(.get, path + "/history", token: author))
            #expect(history.last?["change"] as? String == "under_examination: operability examination started")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.status' AND detail->>'to' = 'under_examination'") == 1)

            // The first review: in review; the second keeps it there; the issue: reported.
            let digest = try await ForensicsReportTests.draftDigest(app, casePath: path, token: author)
            let technical = try await app.token(roles: [.examiner])
            let administrative = try await app.token(roles: [.examiner])
            #expect(try await ForensicsReportTests.review(app, casePath: path, token: technical, kind: "technical", digest: digest).status == .created)
            #expect(try await Self.status(app, path, author) == "in_review")
            #expect(try await ForensicsReportTests.review(app, casePath: path, token: administrative, kind: "administrative", digest: digest).status == .created)
            #expect(try await Self.status(app, path, author) == "in_review")
            let issued = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(issued.status == .created, "\(issued.text)")
            #expect(try await Self.status(app, path, author) == "reported")
            // An amendment's review puts it back in review until the amendment is issued.
            let version = try #require(try await app.request(.get, path, token: author).object["version"] as? Int)
            #expect(try await app.request(.patch, path, token: author, json: #"{"offence":"murder"}"#, headers: [.ifMatch: "\"\(version)\""]).status == .ok)
            let amended = try await ForensicsReportTests.draftDigest(app, casePath: path, token: author)
            #expect(try await ForensicsReportTests.review(app, casePath: path, token: technical, kind: "technical", digest: amended).status == .created)
            #expect(try await Self.status(app, path, author) == "in_review")
            let statuses = try ForensicsCaseTests.list(try await app.request(.get, path + "/history", token: author))
                .compactMap { ($0["record"] as? [String: Any])?["status"] as? String }
            #expect(statuses == ["received", "under_examination", "in_review", "reported", "reported", "in_review"], "\(statuses)")
        }
    }
}
