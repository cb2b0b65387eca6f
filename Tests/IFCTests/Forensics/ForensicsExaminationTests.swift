import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// Examinations: their kinds, the AFTE range of conclusions, and the lab's second-examiner rule.
@Suite("Forensics: examinations")
struct ForensicsExaminationTests {
    /// A case opened by `examiner`, and a function posting an examination to it.
    static func caseWithPoster(_ app: TestApp, examiner: String) async throws -> (String, @Sendable (String) async throws -> TestResponse) {
        let opened = try await ForensicsCaseTests.open(app, examiner: examiner)
        let path = "/v1/cases/\(try #require(opened["id"] as? String))"
        return (path, { body in try await app.request(.post, path + "/examinations", token: examiner, json: body) })
    }

    @Test("every kind is recorded with its examiner; an AFTE conclusion outside a comparison, an elimination without its reason, dates out of order or in the future are 422 naming the field")
    func kindsAndRules() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner], username: "examiner-a")
            let (path, post) = try await Self.caseWithPoster(app, examiner: examiner)
            for kind in ["serial_number_restoration", "operability", "comparison", "ammunition_identification", "trigger_pull", "other"] {
                let recorded = try await post(#"{"kind":"\#(kind)","method":"lab manual 4.2","requested_on":"2025-03-02","started_on":"2025-03-03"}"#)
                #expect(recorded.status == .created, "\(kind): \(recorded.text)")
                #expect(try recorded.object["examiner"] as? String == "examiner-a")
            }
            let afte = try await post(#"{"kind":"operability","afte_conclusion":"identification"}"#)
            #expect(afte.status == .unprocessableContent)
            #expect(try afte.problemFields == ["afte_conclusion"])
            let noReason = try await post(#"{"kind":"comparison","afte_conclusion":"elimination"}"#)
            #expect(try noReason.problemFields == ["elimination_reason"])
            let reasoned = try await post(#"{"kind":"comparison","afte_conclusion":"elimination","elimination_reason":"different class characteristics: 6 lands right twist against 5 lands left","started_on":"2025-03-03","completed_on":"2025-03-04"}"#)
            #expect(reasoned.status == .created, "\(reasoned.text)")
            for conclusion in ["inconclusive_a", "inconclusive_b", "inconclusive_c", "unsuitable", "identification"] {
                #expect(try await post(#"{"kind":"comparison","afte_conclusion":"\#(conclusion)"}"#).status == .created, "\(conclusion)")
            }
            let backwards = try await post(#"{"kind":"trigger_pull","started_on":"2025-03-05","completed_on":"2025-03-04"}"#)
            #expect(try backwards.problemFields == ["completed_on"])
            let future = CalendarDate(app.clock.now.addingTimeInterval(2 * 86400)).text
            let ahead = try await post(#"{"kind":"trigger_pull","requested_on":"\#(future)"}"#)
            #expect(try ahead.problemFields == ["requested_on"])
            let serialElsewhere = try await post(#"{"kind":"operability","recovered_serial":"AB?12"}"#)
            #expect(try serialElsewhere.problemFields == ["recovered_serial"])
            let all = try ForensicsCaseTests.list(try await app.request(.get, path + "/examinations", token: examiner))
            #expect(all.count == 12)
            // The database holds the rules too, whatever the code above it does.
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE examinations SET afte_conclusion = 'identification' WHERE kind = 'operability'", logger: TestCluster.logger)
                }
            }
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE examinations SET completed_on = started_on - 1 WHERE started_on IS NOT NULL", logger: TestCluster.logger)
                }
            }
        }
    }

    @Test("an identification is verified by a second examiner: its own examiner is refused (409) by the service and by the table; a changed conclusion voids the verification and is verified again")
    func secondExaminer() async throws {
        try await withTestApp { app in
            let first = try await app.token(roles: [.examiner], username: "examiner-a")
            let second = try await app.token(roles: [.examiner], username: "examiner-b")
            let (path, post) = try await Self.caseWithPoster(app, examiner: first)
            let created = try await post(#"{"kind":"comparison","method":"comparison microscope","started_on":"2025-03-03","completed_on":"2025-03-05","afte_conclusion":"identification","result":"test fires from exhibit 1 identified with case cartridge cases 4-7"}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try created.object["id"] as? String)
            let verification = "/v1/examinations/\(id)/verification"
            let own = try await app.request(.post, verification, token: first, json: "{}")
            #expect(own.status == .conflict)
            #expect(try own.object["type"] as? String == "urn:ifcd:problem:second-examiner-required")
            // The table refuses it too, for any writer.
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE examinations SET verified_by = examiner, verified_at = now() WHERE id = \(UUID(uuidString: id)!)",
                                           logger: TestCluster.logger)
                }
            }
            let verified = try await app.request(.post, verification, token: second, json: #"{"note":"agreement of individual characteristics confirmed"}"#)
            #expect(verified.status == .ok, "\(verified.text)")
            #expect(try verified.object["verified_by"] as? String == "examiner-b")
            #expect(verified.headers[.eTag] == "\"2\"")
            #expect(try await app.request(.post, verification, token: second, json: "{}").status == .conflict)
            // A changed result voids the verification (the table does it): it is verified again.
            let changed = try await app.request(.patch, "/v1/examinations/\(id)", token: first,
                                                json: #"{"result":"test fires from exhibit 1 identified with case cartridge cases 4-8"}"#,
                                                headers: [.ifMatch: "\"2\""])
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(try changed.object["verified_by"] is NSNull)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'examination.update' AND detail->>'verification_voided' = 'examiner-b'
                """) == 1)
            let again = try await app.request(.post, verification, token: second, json: "{}")
            #expect(again.status == .ok, "\(again.text)")
            #expect(try await app.count("SELECT verified_version FROM examinations WHERE id = \(UUID(uuidString: id)!)") == 3)
            let other = try #require(try await post(#"{"kind":"comparison","afte_conclusion":"inconclusive_b"}"#).object["id"] as? String)
            #expect(try await app.request(.post, "/v1/examinations/\(other)/verification", token: second, json: "{}").status == .conflict)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'examination.verify' AND actor = 'examiner-b'") == 2)
            #expect(try await app.count("SELECT count(*) FROM examination_versions WHERE examination_id = \(UUID(uuidString: id)!)") == 4)
        }
    }

    @Test("a case is reported only when its examinations are completed, every identification is verified and its report is issued")
    func reportingNeedsVerification() async throws {
        try await withTestApp { app in
            let first = try await app.token(roles: [.examiner], username: "examiner-a")
            let second = try await app.token(roles: [.examiner], username: "examiner-b")
            let (path, post) = try await Self.caseWithPoster(app, examiner: first)
            let id = try #require(try await post(#"{"kind":"comparison","started_on":"2025-03-03","completed_on":"2025-03-04","afte_conclusion":"identification"}"#).object["id"] as? String)
            // The examination started moved the case under examination (version 2).
            #expect(try await app.request(.get, path, token: first).object["status"] as? String == "under_examination")
            let early = try await app.request(.patch, path, token: first, json: #"{"status":"reported"}"#, headers: [.ifMatch: "\"2\""])
            #expect(early.status == .conflict)
            #expect(try early.object["type"] as? String == "urn:ifcd:problem:verification-pending")
            #expect(try await app.request(.post, "/v1/examinations/\(id)/verification", token: second, json: "{}").status == .ok)
            // Verified and completed, the case is ready; it becomes reported by issuing its report.
            let unissued = try await app.request(.patch, path, token: first, json: #"{"status":"reported"}"#, headers: [.ifMatch: "\"2\""])
            #expect(unissued.status == .conflict)
            #expect(try unissued.object["type"] as? String == "urn:ifcd:problem:report-not-issued")
        }
    }

    @Test("a correction of an examination needs If-Match (428, stale 412) and keeps the old version")
    func examinationVersions() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let (path, post) = try await Self.caseWithPoster(app, examiner: examiner)
            let id = try #require(try await post(#"{"kind":"operability"}"#).object["id"] as? String)
            let examination = "/v1/examinations/\(id)"
            #expect(try await app.request(.patch, examination, token: examiner, json: #"{"result":"functions normally"}"#).status == .preconditionRequired)
            #expect(try await app.request(.patch, examination, token: examiner, json: #"{"result":"functions normally"}"#, headers: [.ifMatch: "\"3\""]).status == .preconditionFailed)
            let kind = try await app.request(.patch, examination, token: examiner, json: #"{"kind":"comparison"}"#, headers: [.ifMatch: "\"1\""])
            #expect(try kind.problemFields == ["kind"])
            let done = try await app.request(.patch, examination, token: examiner, json: #"{"result":"functions normally"}"#, headers: [.ifMatch: "\"1\""])
            #expect(done.status == .ok)
            #expect(try await app.request(.patch, "/v1/examinations/\(UUID())", token: examiner, json: #"{"result":"x"}"#, headers: [.ifMatch: "\"1\""]).status == .notFound)
        }
    }

    @Test("an examination's correction names its changed fields in the history and the audit (with its case), normalises a recovered serial, and clears an elimination reason with the elimination")
    func examinationCorrectionThroughTheKit() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let (path, post) = try await Self.caseWithPoster(app, examiner: examiner)
            let caseReference = try #require(try await app.request(.get, path, token: examiner).object["reference"] as? String)
            let restoration = try #require(try await post(#"{"kind":"serial_number_restoration"}"#).object["id"] as? String)
            let serial = try await app.request(.patch, "/v1/examinations/\(restoration)", token: examiner,
                                               json: #"{"recovered_serial":"ab12?4","method":"etching"}"#, headers: [.ifMatch: "\"1\""])
            #expect(serial.status == .ok, "\(serial.text)")
            #expect(try serial.object["recovered_serial"] as? String == "AB12?4")
            // The serial as stored (upper case) is no change.
            let same = try await app.request(.patch, "/v1/examinations/\(restoration)", token: examiner, json: #"{"recovered_serial":"AB12?4"}"#,
                                             headers: [.ifMatch: "\"2\""])
            #expect(try same.problemFields == ["body"])
            let uuid = try #require(UUID(uuidString: restoration))
            let change = try await app.database.asOwner {
                try await $0.scalar("SELECT change FROM examination_versions WHERE examination_id = \(uuid) AND version = 2", as: String.self)
            }
            #expect(change == "changed: method, recovered_serial")
            let audited = try await app.database.asOwner {
                try await $0.scalar("""
                    SELECT detail->>'case' || ' ' || (detail->>'changed') FROM audit_entries
                    WHERE action = 'examination.update' AND lower(record_id) = lower(\(restoration))
                    """, as: String.self)
            }
            #expect(audited == "\(caseReference) method,recovered_serial")
            let comparison = try #require(try await post(#"{"kind":"comparison","afte_conclusion":"elimination","elimination_reason":"different class characteristics"}"#)
                .object["id"] as? String)
            let inconclusive = try await app.request(.patch, "/v1/examinations/\(comparison)", token: examiner,
                                                     json: #"{"afte_conclusion":"inconclusive_b"}"#, headers: [.ifMatch: "\"1\""])
            #expect(inconclusive.status == .ok, "\(inconclusive.text)")
            #expect(try inconclusive.object["elimination_reason"] is NSNull)
        }
    }
}
