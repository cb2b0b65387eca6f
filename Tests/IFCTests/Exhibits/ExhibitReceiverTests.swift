import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing

/// Who receives an exhibit (issue 25): a transfer names a receiver whose roles receive exhibits (a
/// clerk would leave it in transit for ever), and a receiver finds what is coming to them with
/// `GET /v1/exhibits?incoming=me`.
@Suite("Exhibits: receivers and what is incoming")
struct ExhibitReceiverTests {
    @Test("a transfer to a user who holds no role that receives exhibits is 422 naming to_user and writes nothing; incoming=me lists what is in transit to the caller until received")
    func receiversAndIncoming() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            try await app.token(roles: [.clerk], username: "clerk.registry")
            let (_, id) = try await ExhibitCustodyTests.exhibit(app, examiner: alice)
            let toClerk = try await ExhibitCustodyTests.send(app, id, as: alice, #"{"to_user":"clerk.registry","purpose":"comparison","seal_intact":true}"#)
            #expect(toClerk.status == .unprocessableContent)
            #expect(try toClerk.problemFields == ["to_user"])
            #expect((try toClerk.object["errors"] as? [[String: Any]])?.first?["detail"] as? String
                    == "clerk.registry holds no role that receives exhibits (examiner)")
            #expect(try await app.count("SELECT count(*) FROM exhibit_transfers WHERE exhibit_id = \(id)::uuid") == 0)

            func incoming(_ token: String) async throws -> [String] {
                let page = try await app.request(.get, "/v1/exhibits?incoming=me", token: token)
                #expect(page.status == .ok, "\(page.text)")
                return (try page.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(try await incoming(bob).isEmpty)
            let sent = try await ExhibitCustodyTests.send(app, id, as: alice, #"{"to_user":"bob.lab","purpose":"comparison","seal_intact":true}"#)
            #expect(sent.status == .created, "\(sent.text)")
            #expect(try await incoming(bob) == [id])
            #expect(try await incoming(alice).isEmpty)
            let transfer = try #require(try sent.object["id"] as? String)
            #expect(try await app.request(.post, "/v1/exhibits/\(id)/transfers/\(transfer)/receipt", token: bob, json: #"{"seal_intact":true}"#).status == .ok)
            #expect(try await incoming(bob).isEmpty)
            #expect(try await app.request(.get, "/v1/exhibits?incoming=you", token: bob).problemFields == ["incoming"])
        }
    }
}
