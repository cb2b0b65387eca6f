import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// Examiners' authorisations (issue 24; ISO/IEC 17025 §6.2): a laboratory manager records who is
/// authorised for which examinations from when to when; an examination, a verification and a
/// technical review need an examiner so authorised on the day, and the table refuses the rest.
@Suite("Examiner authorisations")
struct AuthorisationTests {
    static func grant(_ app: TestApp, _ manager: String, user: String, kind: String, from: String, until: String? = nil) async throws -> TestResponse {
        let end = until.map { #","valid_until":"\#($0)""# } ?? ""
        return try await app.request(.post, "/v1/lab/authorisations", token: manager,
                                     json: #"{"user_id":"\#(user)","kind":"\#(kind)","valid_from":"\#(from)"\#(end),"basis":"competence assessed; proficiency test FA-PT-2025-1 passed"}"#)
    }

    static func examine(_ app: TestApp, _ token: String, caseID: String, kind: String = "comparison", started: String) async throws -> TestResponse {
        let conclusion = kind == "comparison" ? #","afte_conclusion":"inconclusive_a""# : ""
        return try await app.request(.post, "/v1/cases/\(caseID)/examinations", token: token,
                                     json: #"{"kind":"\#(kind)","method":"comparison microscope","started_on":"\#(started)"\#(conclusion)}"#)
    }

    @Test("a laboratory manager authorises an examiner for a kind from a day (never themselves, only an examiner); an examination outside it, or of another kind, is 403 not-authorised and the table refuses it; ended on a last day, the authorisation no longer covers the days after; it is kept as granted, versioned and audited")
    func authorisationsGovernExaminations() async throws {
        try await withTestApp { app in
            let manager = try await app.token(roles: [.labManager], username: "lab-manager")
            let examiner = try await app.token(roles: [.examiner], username: "new-examiner", authorised: false)
            let clerk = try await app.token(roles: [.clerk])
            let dual = try await app.token(roles: [.labManager, .examiner], username: "manager-examiner", authorised: false)
            let examinerID = try await TraceNeedToKnowTests.userID(app, examiner)
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner))

            // Not authorised at all: refused, nothing written.
            let refused = try await Self.examine(app, examiner, caseID: caseID, started: "2025-03-03")
            #expect(refused.status == .forbidden, "\(refused.text)")
            #expect(try refused.object["type"] as? String == "urn:ifcd:problem:not-authorised")
            #expect(try await app.count("SELECT count(*) FROM examinations WHERE examiner = 'new-examiner'") == 0)

            // Who grants: a laboratory manager, never for themselves, and only to an examiner.
            #expect(try await Self.grant(app, examiner, user: examinerID, kind: "comparison", from: "2025-04-01").status == .forbidden)
            let selfGrant = try await Self.grant(app, dual, user: try await TraceNeedToKnowTests.userID(app, dual), kind: "comparison", from: "2025-01-01")
            #expect(selfGrant.status == .forbidden)
            #expect(try selfGrant.object["type"] as? String == "urn:ifcd:problem:self-authorisation")
            #expect(try await Self.grant(app, manager, user: try await TraceNeedToKnowTests.userID(app, clerk), kind: "comparison",
                                         from: "2025-01-01").problemFields == ["user_id"])
            #expect(try await Self.grant(app, manager, user: examinerID, kind: "comparison", from: "2025-04-01",
                                         until: "2025-03-01").problemFields == ["valid_until"])
            await #expect(throws: (any Error).self) {
                try await app.execute("""
                    INSERT INTO examiner_authorisations (id, username, kind, valid_from, basis, granted_by)
                    VALUES (gen_random_uuid(), 'manager-examiner', 'comparison', DATE '2025-01-01', 'self', 'manager-examiner')
                    """)
            }

            let granted = try await Self.grant(app, manager, user: examinerID, kind: "comparison", from: "2025-04-01")
            #expect(granted.status == .created, "\(granted.text)")
            let grantID = try TracingTests.id(try granted.object)
            #expect(try granted.object["granted_by"] as? String == "lab-manager")
            // Before it begins, or of another kind: refused. From its first day: recorded.
            #expect(try await Self.examine(app, examiner, caseID: caseID, started: "2025-03-31").status == .forbidden)
            #expect(try await Self.examine(app, examiner, caseID: caseID, kind: "operability", started: "2025-04-02").status == .forbidden)
            let made = try await Self.examine(app, examiner, caseID: caseID, started: "2025-04-02")
            #expect(made.status == .created, "\(made.text)")
            let examinationID = try TracingTests.id(try made.object)
            // Completing it after the authorisation ended is refused; the table refuses it too.
            let ended = try await app.request(.post, "/v1/lab/authorisations/\(grantID)/end", token: manager,
                                              json: #"{"last_day":"2025-04-30","reason":"left the firearms section"}"#, headers: [.ifMatch: "\"1\""])
            #expect(ended.status == .ok, "\(ended.text)")
            #expect(try ended.object["valid_until"] as? String == "2025-04-30")
            let late = try await app.request(.patch, "/v1/examinations/\(examinationID)", token: examiner, json: #"{"completed_on":"2025-05-02"}"#,
                                             headers: [.ifMatch: "\"1\""])
            #expect(late.status == .forbidden, "\(late.text)")
            #expect(try await Self.examine(app, examiner, caseID: caseID, started: "2025-05-02").status == .forbidden)
            let inTime = try await app.request(.patch, "/v1/examinations/\(examinationID)", token: examiner, json: #"{"completed_on":"2025-04-20"}"#,
                                               headers: [.ifMatch: "\"1\""])
            #expect(inTime.status == .ok, "\(inTime.text)")
            await #expect(throws: (any Error).self) {
                try await app.execute("UPDATE examinations SET started_on = DATE '2025-05-03', completed_on = DATE '2025-05-04' WHERE id = \(UUID(uuidString: examinationID)!)")
            }

            // Ended once; kept as granted; versioned and audited; readable by examiners.
            let again = try await app.request(.post, "/v1/lab/authorisations/\(grantID)/end", token: manager,
                                              json: #"{"last_day":"2025-04-29","reason":"again"}"#)
            #expect(again.status == .conflict)
            let grantUUID = try #require(UUID(uuidString: grantID))
            await #expect(throws: (any Error).self) {
                try await app.execute("UPDATE examiner_authorisations SET basis = 'rewritten' WHERE id = \(grantUUID)")
            }
            await #expect(throws: (any Error).self) { try await app.execute("DELETE FROM examiner_authorisations WHERE id = \(grantUUID)") }
            let history = try await app.request(.get, "/v1/lab/authorisations/\(grantID)/history", token: examiner)
            #expect(history.status == .ok)
            #expect((try JSONSerialization.jsonObject(with: Data(history.text.utf8)) as? [Any])?.count == 2)
            let holding = try await app.request(.get, "/v1/lab/authorisations?username=new-examiner&on=2025-04-15", token: examiner).object
            #expect((holding["items"] as? [[String: Any]])?.count == 1)
            let after = try await app.request(.get, "/v1/lab/authorisations?username=new-examiner&on=2025-05-15", token: manager).object
            #expect((after["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE record_id = \(grantID) AND action IN ('authorisation.grant', 'authorisation.end')
                """) == 2)
        }
    }

    @Test("a verification and a technical review need an examiner authorised today for the examinations' kind: 403 not-authorised until a manager records it, and the table refuses it")
    func verificationAndReviewNeedAuthorisation() async throws {
        try await withTestApp { app in
            let manager = try await app.token(roles: [.labManager])
            let author = try await app.token(roles: [.examiner], username: "examiner-a")
            let verifier = try await app.token(roles: [.examiner], username: "examiner-v", authorised: false)
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: author))
            let made = try await app.request(.post, "/v1/cases/\(caseID)/examinations", token: author, json: FourEyesTests.identification)
            #expect(made.status == .created, "\(made.text)")
            let id = try TracingTests.id(try made.object)
            let refused = try await app.request(.post, "/v1/examinations/\(id)/verification", token: verifier, json: #"{"note":"agreed"}"#)
            #expect(refused.status == .forbidden, "\(refused.text)")
            #expect(try refused.object["type"] as? String == "urn:ifcd:problem:not-authorised")
            await #expect(throws: (any Error).self) {
                try await FourEyesTests.asActor(app, "examiner-v", "UPDATE examinations SET verified_by = 'examiner-v', verified_at = now() WHERE id = \(UUID(uuidString: id)!)")
            }
            // An authorisation for another kind does not do.
            let verifierID = try await TraceNeedToKnowTests.userID(app, verifier)
            #expect(try await Self.grant(app, manager, user: verifierID, kind: "operability", from: "2000-01-01").status == .created)
            #expect(try await app.request(.post, "/v1/examinations/\(id)/verification", token: verifier, json: #"{"note":"agreed"}"#).status == .forbidden)
            #expect(try await Self.grant(app, manager, user: verifierID, kind: "comparison", from: "2000-01-01").status == .created)
            let verified = try await app.request(.post, "/v1/examinations/\(id)/verification", token: verifier, json: #"{"note":"agreed"}"#)
            #expect(verified.status == .ok, "\(verified.text)")

            // The technical review of a case: by an examiner authorised for every kind it holds.
            let path = try await ForensicsReportTests.examinedCase(app, author: author)
            let digest = try await ForensicsReportTests.draftDigest(app, casePath: path, token: author)
            let reviewer = try await app.token(roles: [.examiner], username: "examiner-r", authorised: false)
            let unauthorised = try await ForensicsReportTests.review(app, casePath: path, token: reviewer, kind: "technical", digest: digest)
            #expect(unauthorised.status == .forbidden, "\(unauthorised.text)")
            #expect(try unauthorised.object["type"] as? String == "urn:ifcd:problem:not-authorised")
            let reportCase = try #require(UUID(uuidString: String(path.split(separator: "/").last!)))
            await #expect(throws: (any Error).self) {
                try await app.execute("""
                    INSERT INTO report_reviews (id, case_id, kind, outcome, reviewer, content_sha256)
                    VALUES (\(UUID()), \(reportCase), 'technical', 'approved', 'examiner-r', \(digest))
                    """)
            }
            let reviewerID = try await TraceNeedToKnowTests.userID(app, reviewer)
            for kind in ["serial_number_restoration", "operability", "comparison", "ammunition_identification", "trigger_pull", "other"] {
                #expect(try await Self.grant(app, manager, user: reviewerID, kind: kind, from: "2000-01-01").status == .created)
            }
            let reviewed = try await ForensicsReportTests.review(app, casePath: path, token: reviewer, kind: "technical", digest: digest)
            #expect(reviewed.status == .created, "\(reviewed.text)")
        }
    }
}
