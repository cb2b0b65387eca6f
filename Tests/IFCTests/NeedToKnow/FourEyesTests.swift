import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCStore
import PostgresNIO
import Testing

/// The second person (issue 24; ISO/IEC 17025 §7.7): only an examination's examiner changes it, a
/// verification needs the work completed and someone who neither made nor changed its conclusion,
/// and the table refuses each case whatever the code above it does.
@Suite("Four eyes: examinations")
struct FourEyesTests {
    static let identification = #"{"kind":"comparison","method":"comparison microscope","started_on":"2025-03-03","completed_on":"2025-03-05","afte_conclusion":"identification","result":"cartridge cases 1-3 fired in the same firearm"}"#

    /// Runs `statements` as the owner on one connection, naming `actor` as the writer.
    static func asActor(_ app: TestApp, _ actor: String, _ statement: PostgresQuery) async throws {
        try await app.database.asOwner { connection in
            _ = try await connection.query("SELECT set_config('ifcd.actor', \(actor), false)", logger: TestCluster.logger)
            _ = try await connection.query(statement, logger: TestCluster.logger)
        }
    }

    @Test("another examiner cannot change an examination (403, and the table refuses it); unfinished work is not verified (409, and the table refuses it); a verification in another's name or by the examiner is refused by the table; the verified version is recorded")
    func secondPersonEnforced() async throws {
        try await withTestApp { app in
            let first = try await app.token(roles: [.examiner], username: "examiner-a")
            let second = try await app.token(roles: [.examiner], username: "examiner-b")
            _ = try await app.token(roles: [.examiner], username: "examiner-c")
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: first))
            let made = try await app.request(.post, "/v1/cases/\(caseID)/examinations", token: first, json: Self.identification)
            #expect(made.status == .created, "\(made.text)")
            let id = try TracingTests.id(try made.object)
            let uuid = try #require(UUID(uuidString: id))

            // Examiner B edits A's comparison: refused, and nothing changed.
            let edit = try await app.request(.patch, "/v1/examinations/\(id)", token: second, json: #"{"afte_conclusion":"inconclusive_a"}"#,
                                             headers: [.ifMatch: "\"1\""])
            #expect(edit.status == .forbidden, "\(edit.text)")
            #expect(try edit.object["type"] as? String == "urn:ifcd:problem:not-the-examiner")
            #expect(try await app.count("SELECT version FROM examinations WHERE id = \(uuid)") == 1)
            await #expect(throws: (any Error).self) {
                try await Self.asActor(app, "examiner-b", "UPDATE examinations SET afte_conclusion = 'inconclusive_a' WHERE id = \(uuid)")
            }
            // The table refuses a verification in another user's name, and by the examiner.
            await #expect(throws: (any Error).self) {
                try await Self.asActor(app, "examiner-b", "UPDATE examinations SET verified_by = 'examiner-c', verified_at = now() WHERE id = \(uuid)")
            }
            await #expect(throws: (any Error).self) {
                try await Self.asActor(app, "examiner-a", "UPDATE examinations SET verified_by = 'examiner-a', verified_at = now() WHERE id = \(uuid)")
            }

            // Unfinished work is not verified: the service says so, and so does the table.
            let unfinished = try await app.request(.post, "/v1/cases/\(caseID)/examinations", token: first,
                                                   json: #"{"kind":"comparison","started_on":"2025-03-03","afte_conclusion":"identification"}"#)
            let unfinishedID = try TracingTests.id(try unfinished.object)
            let early = try await app.request(.post, "/v1/examinations/\(unfinishedID)/verification", token: second, json: "{}")
            #expect(early.status == .conflict)
            #expect(try early.object["type"] as? String == "urn:ifcd:problem:examination-not-completed")
            await #expect(throws: (any Error).self) {
                try await Self.asActor(app, "examiner-b", """
                    UPDATE examinations SET verified_by = 'examiner-b', verified_at = now() WHERE id = \(UUID(uuidString: unfinishedID)!)
                    """)
            }

            // The second examiner verifies the completed one: the version verified is recorded.
            let verified = try await app.request(.post, "/v1/examinations/\(id)/verification", token: second, json: "{}")
            #expect(verified.status == .ok, "\(verified.text)")
            #expect(try verified.object["verified_version"] as? Int == 1)
            #expect(try await app.count("SELECT verified_version FROM examinations WHERE id = \(uuid)") == 1)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'examination.verify' AND record_id = \(id) AND detail->>'verified_version' = '1'
                """) == 1)
        }
    }
}

/// A report's reviewers (issue 24; ISO/IEC 17025 §7.8): the technical reviewer did none of the
/// case's examinations, the administrative reviewer is not the technical one, and the issuer is a
/// member of the case's team; the table refuses each whatever the code does.
@Suite("Four eyes: report reviews")
struct ReportReviewerTests {
    @Test("an examiner of the case gives no technical review (409, and the table refuses it); the administrative review of the technical reviewer does not count; a non-member does not issue (403); the team's member issues")
    func independentReviewers() async throws {
        try await withTestApp { app in
            let author = try await app.token(roles: [.examiner], username: "examiner-a")
            let path = try await ForensicsReportTests.examinedCase(app, author: author)
            let caseID = try #require(UUID(uuidString: String(path.split(separator: "/").last!)))
            let digest = try await ForensicsReportTests.draftDigest(app, casePath: path, token: author)
            let own = try await ForensicsReportTests.review(app, casePath: path, token: author, kind: "technical", digest: digest)
            #expect(own.status == .conflict)
            #expect(try own.object["type"] as? String == "urn:ifcd:problem:technical-reviewer-not-independent")
            await #expect(throws: (any Error).self) {
                try await app.execute("""
                    INSERT INTO report_reviews (id, case_id, kind, outcome, reviewer, content_sha256)
                    VALUES (\(UUID()), \(caseID), 'technical', 'approved', 'examiner-a', \(digest))
                    """)
            }
            // One person giving both reviews makes no issue.
            let reviewer = try await app.token(roles: [.examiner], username: "examiner-c")
            #expect(try await ForensicsReportTests.review(app, casePath: path, token: reviewer, kind: "technical", digest: digest).status == .created)
            #expect(try await ForensicsReportTests.review(app, casePath: path, token: reviewer, kind: "administrative", digest: digest).status == .created)
            let both = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(both.status == .conflict)
            #expect(try both.problemFields == ["administrative_review"])
            let administrator = try await app.token(roles: [.examiner], username: "examiner-d")
            #expect(try await ForensicsReportTests.review(app, casePath: path, token: administrator, kind: "administrative", digest: digest).status == .created)
            // An examiner outside the case's team does not issue its report; its member does.
            let outsider = try await app.token(roles: [.examiner], username: "examiner-e")
            let refused = try await app.request(.post, path + "/reports", token: outsider, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(refused.status == .forbidden)
            #expect(try refused.object["type"] as? String == "urn:ifcd:problem:issuer-not-member")
            let issued = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(issued.status == .created, "\(issued.text)")
        }
    }
}
