import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing

/// Need-to-know on what follows a case (issue 24): its exhibits, their custody and acquisitions,
/// the leads between them and the clusters they make.
@Suite("Need-to-know: exhibits, leads and clusters")
struct ExhibitNeedToKnowTests {
    static func ids(_ response: TestResponse) throws -> Set<String> {
        Set((try response.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    @Test("an exhibit of a secret case is 404 and unlisted for a non-member, a lead touching it too, a lead cannot be made from it, and a cluster counts the case it withholds")
    func exhibitsFollowTheirCase() async throws {
        try await withTestApp { app in
            let owner = try await app.token(roles: [.examiner], clearance: .secret)
            let verifier = try await app.token(roles: [.examiner], clearance: .secret)
            let colleague = try await app.token(roles: [.examiner], clearance: .secret)
            let secretCase = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: owner, CaseNeedToKnowTests.caseBody("secret")))
            let openCase = try await ExhibitsTests.openCase(app, examiner: owner)
            let hidden = try TracingTests.id(try await ExhibitsTests.create(app, examiner: owner, ExhibitsTests.exhibit(case: secretCase)))
            let shown = try TracingTests.id(try await ExhibitsTests.create(app, examiner: owner, ExhibitsTests.exhibit(case: openCase)))

            for path in ["/v1/exhibits/\(hidden)", "/v1/exhibits/\(hidden)/history", "/v1/exhibits/\(hidden)/custody",
                         "/v1/exhibits/\(hidden)/tree", "/v1/exhibits/\(hidden)/acquisitions", "/v1/cases/\(secretCase)/exhibits"] {
                #expect(try await app.request(.get, path, token: owner).status == .ok, "\(path) for the owner")
                #expect(try await app.request(.get, path, token: colleague).status == .notFound, "\(path) for a non-member")
            }
            let listed = try Self.ids(try await app.request(.get, "/v1/exhibits?limit=500", token: colleague))
            #expect(listed.contains(shown) && !listed.contains(hidden))
            #expect(try Self.ids(try await app.request(.get, "/v1/exhibits?limit=500", token: owner)).isSuperset(of: [shown, hidden]))
            // Custody moves on it are 404 too, and each refusal is on the trail.
            let send = try await app.request(.post, "/v1/exhibits/\(hidden)/transfers", token: colleague,
                                             json: #"{"to_location":"Vault B","purpose":"storage","seal_intact":true}"#)
            #expect(send.status == .notFound)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'exhibit.denied' AND record_id = \(hidden)") >= 6)

            // A lead between the two: the owner sees it, the non-member neither reads nor lists it.
            let lead = try await ExhibitLeadTests.lead(app, examiner: owner, hidden, shown)
            #expect(try await app.request(.get, "/v1/leads/\(lead)", token: owner).status == .ok)
            #expect(try await app.request(.get, "/v1/leads/\(lead)", token: colleague).status == .notFound)
            #expect(try Self.ids(try await app.request(.get, "/v1/leads?limit=500", token: owner)).contains(lead))
            #expect(!(try Self.ids(try await app.request(.get, "/v1/leads?limit=500", token: colleague)).contains(lead)))
            let made = try await app.request(.post, "/v1/leads", token: colleague,
                                             json: #"{"exhibit_a":"\#(hidden)","exhibit_b":"\#(shown)","source_system":"ibis","source_reference":"IBIS-X1"}"#)
            #expect(made.status == .unprocessableContent)
            #expect(try made.problemFields == ["exhibit_a"])

            // A hit joins the two cases: the non-member's cluster of the open case withholds the other.
            let examination = try await ExhibitLeadTests.comparison(app, caseID: openCase, examiner: owner, verifier: verifier)
            let hit = try await ExhibitLeadTests.identify(app, lead, examination: examination, as: owner)
            #expect(hit.status == .ok, "\(hit.text)")
            let full = try await app.request(.get, "/v1/cases/\(openCase)/cluster", token: owner).object
            #expect((full["cases"] as? [[String: Any]])?.count == 2)
            #expect(full["withheld_cases"] as? Int == 0)
            let partial = try await app.request(.get, "/v1/cases/\(openCase)/cluster", token: colleague)
            #expect(partial.status == .ok)
            let cluster = try partial.object
            #expect((cluster["cases"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [openCase])
            #expect(cluster["withheld_cases"] as? Int == 1)
            #expect((cluster["hits"] as? [Any])?.isEmpty == true)
            #expect(!((cluster["exhibits"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == hidden })
        }
    }
}
