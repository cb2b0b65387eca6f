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
                    == "clerk.registry holds no role that receives exhibits (evidence_officer, examiner)")
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

    @Test("only an evidence officer moves an item held in a vault: takes it in, reseals, sends or disposes of it; an examiner is 403 not-evidence-officer and writes nothing; the officer does not move an item an examiner holds")
    func vaultItemsMoveByEvidenceOfficer() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            let keeper = try await app.token(roles: [.evidenceOfficer], username: "vault.keeper")
            let (_, id) = try await ExhibitCustodyTests.exhibit(app, examiner: alice)
            // An examiner may send an item they hold to a vault, and to an evidence officer (a receiving role).
            let stored = try #require(try await ExhibitCustodyTests.send(app, id, as: alice,
                #"{"to_location":"Firearms vault 1","purpose":"storage","seal_intact":true}"#).object["id"] as? String)
            let receipt = "/v1/exhibits/\(id)/transfers/\(stored)/receipt"
            #expect(try await app.request(.post, receipt, token: alice, json: #"{"seal_intact":true}"#).status == .forbidden)
            #expect(try await app.request(.post, receipt, token: keeper, json: #"{"seal_intact":true}"#).status == .ok)
            #expect(try await app.request(.get, "/v1/exhibits/\(id)", token: keeper).object["custodian_kind"] as? String == "location")

            // In the vault: the examiner neither sends, reseals nor disposes of it.
            let today = CalendarDate(app.clock.now).text
            let refusals = [
                try await ExhibitCustodyTests.send(app, id, as: alice, #"{"to_user":"alice.lab","purpose":"comparison","seal_intact":true}"#),
                try await app.request(.post, "/v1/exhibits/\(id)/seals", token: alice, json: #"{"seal_number":"S-77"}"#),
                try await app.request(.post, "/v1/exhibits/\(id)/disposition", token: alice,
                                      json: #"{"disposition":"retained","authority":"Lab order 7","date":"\#(today)"}"#),
            ]
            for refused in refusals {
                #expect(refused.status == .forbidden, "\(refused.text)")
                #expect(try refused.object["type"] as? String == "urn:ifcd:problem:not-evidence-officer")
            }
            let entries = try await ExhibitCustodyTests.entries(app, id, as: keeper)
            #expect(entries.map { $0["event"] as? String } == ["intake", "sent", "received"])

            // The evidence officer sends it out to an examiner, who takes it; then it is the
            // examiner's, and the officer no longer moves it.
            let out = try await ExhibitCustodyTests.send(app, id, as: keeper, #"{"to_user":"bob.lab","purpose":"comparison","seal_intact":true}"#)
            #expect(out.status == .created, "\(out.text)")
            let transfer = try #require(try out.object["id"] as? String)
            #expect(try await app.request(.post, "/v1/exhibits/\(id)/transfers/\(transfer)/receipt", token: bob, json: #"{"seal_intact":true}"#).status == .ok)
            let notTheirs = try await ExhibitCustodyTests.send(app, id, as: keeper, #"{"to_location":"Firearms vault 2","purpose":"storage","seal_intact":true}"#)
            #expect(notTheirs.status == .conflict)
            #expect(try notTheirs.object["type"] as? String == "urn:ifcd:problem:not-custodian")
        }
    }
}
