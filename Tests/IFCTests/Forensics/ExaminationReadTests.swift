import Foundation
import HTTPTypes
import IFCCore
import Testing

/// `GET /v1/examinations/{id}` and its history (issue 25): an examination is read on its own, with
/// its ETag, and every change to it is a version naming who made it, so another examiner's rewrite
/// shows in the record rather than only in the audit trail. Need-to-know applies: an examination of
/// a case the reader may not see is 404.
@Suite("Forensics: an examination and its history")
struct ExaminationReadTests {
    @Test("an examination reads with its ETag and an audit entry; its history lists each version with who changed it; unknown is 404; a secret case's examination is 404 to a non-member")
    func readAndHistory() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner], username: "examiner-a")
            let analyst = try await app.token(roles: [.analyst], clearance: .restricted)
            let (_, post) = try await ForensicsExaminationTests.caseWithPoster(app, examiner: examiner)
            let created = try await post(#"{"kind":"operability","method":"lab manual 4.2","started_on":"2025-03-03"}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try created.object["id"] as? String)

            let read = try await app.request(.get, "/v1/examinations/\(id)", token: analyst)
            #expect(read.status == .ok, "\(read.text)")
            #expect(read.headers[.eTag] == "\"1\"")
            #expect(try read.object["kind"] as? String == "operability")
            #expect(try read.object["examiner"] as? String == "examiner-a")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'examination.read' AND record_id = \(id)") == 1)

            let changed = try await app.request(.patch, "/v1/examinations/\(id)", token: examiner,
                                                json: #"{"result":"functions as designed in single-action and double-action"}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(changed.status == .ok, "\(changed.text)")
            let history = try ForensicsCaseTests.list(try await app.request(.get, "/v1/examinations/\(id)/history", token: analyst))
            #expect(history.map { $0["version"] as? Int } == [1, 2])
            #expect(history.map { $0["changed_by"] as? String } == ["examiner-a", "examiner-a"])
            #expect((history.last?["record"] as? [String: Any])?["result"] as? String == "functions as designed in single-action and double-action")
            #expect((history.first?["record"] as? [String: Any])?["result"] is NSNull)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'examination.history' AND record_id = \(id)") == 1)

            for path in ["/v1/examinations/\(UUID())", "/v1/examinations/\(UUID())/history"] {
                #expect(try await app.request(.get, path, token: analyst).status == .notFound)
            }

            // A secret case: its examination is 404 to who may not see the case, read and history alike.
            let owner = try await app.token(roles: [.examiner], clearance: .secret)
            let outsider = try await app.token(roles: [.examiner], clearance: .secret)
            let secret = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: owner, CaseNeedToKnowTests.caseBody("secret")))
            let hidden = try #require(try await app.request(.post, "/v1/cases/\(secret)/examinations", token: owner,
                                                            json: #"{"kind":"operability","started_on":"2025-03-03"}"#).object["id"] as? String)
            #expect(try await app.request(.get, "/v1/examinations/\(hidden)", token: owner).status == .ok)
            for path in ["/v1/examinations/\(hidden)", "/v1/examinations/\(hidden)/history"] {
                #expect(try await app.request(.get, path, token: outsider).status == .notFound)
                #expect(try await app.request(.get, path, token: analyst).status == .notFound)
            }
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.denied' AND record_id = \(secret)") >= 4)
        }
    }
}
