import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// What a liaison officer sees (issue 24): a case (and its exhibits) on whose team they are or
/// from which a trace they may see was made; a seizure a trace or a case they may see names, or
/// that no case names. Analysts and examiners see as before.
@Suite("Need-to-know: liaison scope")
struct LiaisonScopeTests {
    /// An examiner of the case adds the liaison officer to its team, asking for a trace.
    static func join(_ app: TestApp, caseID: String, examiner: String, liaison: String) async throws {
        let userID = try await TraceNeedToKnowTests.userID(app, liaison)
        let added = try await app.request(.post, "/v1/cases/\(caseID)/members", token: examiner,
                                          json: #"{"user_id":"\#(userID)","reason":"tracing of the recovered firearm requested"}"#)
        #expect(added.status == .created, "\(added.text)")
    }

    static func ids(_ response: TestResponse) throws -> Set<String> {
        Set(((try response.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
    }

    @Test("a liaison officer does not see a case, its exhibits or a seizure it names until they join its team or a trace they may see is made from it (404, absent from lists, denied entries); an analyst sees them all along; a seizure no case names stays readable")
    func liaisonSeesWhatTheyTrace() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let analyst = try await app.token(roles: [.analyst])
            let liaison = try await app.token(roles: [.liaison])
            let colleague = try await app.token(roles: [.liaison])
            let seizure = try TracingTests.id(try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure()))
            let loose = try TracingTests.id(try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure()))
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner, ForensicsCaseTests.newCase(seizures: [seizure])))
            let exhibit = try TracingTests.id(try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseID)))
            let paths = ["/v1/cases/\(caseID)", "/v1/cases/\(caseID)/history", "/v1/cases/\(caseID)/exhibits", "/v1/exhibits/\(exhibit)",
                         "/v1/seizures/\(seizure)", "/v1/seizures/\(seizure)/history"]
            for path in paths {
                #expect(try await app.request(.get, path, token: analyst).status == .ok, "\(path)")
                #expect(try await app.request(.get, path, token: liaison).status == .notFound, "\(path)")
            }
            #expect(try await !Self.ids(try await app.request(.get, "/v1/cases?limit=500", token: liaison)).contains(caseID))
            #expect(try await !Self.ids(try await app.request(.get, "/v1/exhibits?limit=500", token: liaison)).contains(exhibit))
            let seizures = try Self.ids(try await app.request(.get, "/v1/seizures?limit=500", token: liaison))
            #expect(!seizures.contains(seizure) && seizures.contains(loose))
            #expect(try await app.request(.get, "/v1/seizures/\(loose)", token: liaison).status == .ok)
            // Nor can they draft a trace from what they may not see.
            let hidden = try await app.request(.post, "/v1/traces", token: liaison,
                                               json: TracingTests.complete(app, extra: #","case_id":"\#(caseID)""#))
            #expect(try hidden.problemFields == ["case_id"])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.denied' AND record_id = \(caseID)") >= 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'seizure.denied' AND record_id = \(seizure)") >= 1)

            // The examiner asks the liaison officer for a trace: on the team, they see the case, its exhibits and its seizure.
            try await Self.join(app, caseID: caseID, examiner: examiner, liaison: liaison)
            for path in paths {
                #expect(try await app.request(.get, path, token: liaison).status == .ok, "\(path)")
            }
            #expect(try await Self.ids(try await app.request(.get, "/v1/seizures?limit=500", token: liaison)).contains(seizure))
            // A trace made from the case: a colleague at the desk who may see the trace sees the case through it.
            #expect(try await app.request(.get, "/v1/cases/\(caseID)", token: colleague).status == .notFound)
            _ = try await TracingTests.create(app, liaison, TracingTests.complete(app, extra: #","case_id":"\#(caseID)""#))
            for path in paths {
                #expect(try await app.request(.get, path, token: colleague).status == .ok, "\(path)")
            }
        }
    }
}
