import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCStore
import PostgresNIO
import Testing

/// The chain of custody (ISO/IEC 17025 §7.4): a handshake between the custodian and the named
/// receiver, hand-over outside the system, re-sealing, broken seals, disposition; the chain is
/// gapless and linear, and the database keeps it so.
@Suite("Exhibits: chain of custody")
struct ExhibitCustodyTests {
    /// A case and one exhibit held by `examiner`: (case id, exhibit id).
    static func exhibit(_ app: TestApp, examiner: String) async throws -> (String, String) {
        let caseID = try await ExhibitsTests.openCase(app, examiner: examiner)
        let created = try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseID))
        return (caseID, try #require(created["id"] as? String))
    }

    static func send(_ app: TestApp, _ id: String, as token: String, _ body: String) async throws -> TestResponse {
        try await app.request(.post, "/v1/exhibits/\(id)/transfers", token: token, json: body)
    }

    static func entries(_ app: TestApp, _ id: String, as token: String) async throws -> [[String: Any]] {
        let custody = try await app.request(.get, "/v1/exhibits/\(id)/custody", token: token)
        #expect(custody.status == .ok, "\(custody.text)")
        return try custody.object["entries"] as? [[String: Any]] ?? []
    }

    /// The chain is numbered 1…n and each entry names the one before it.
    static func expectLinear(_ entries: [[String: Any]]) {
        #expect(entries.map { $0["seq"] as? Int } == Array(1...max(entries.count, 1)).prefix(entries.count).map { $0 })
        for (index, entry) in entries.enumerated() {
            #expect(entry["previous_seq"] as? Int == (index == 0 ? nil : index))
        }
    }

    @Test("the handshake: the custodian sends, the item is in transit, only the named receiver receives; refusals are 409 problems and write nothing")
    func handshake() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            let carol = try await app.token(roles: [.examiner], username: "carol.lab")
            let (_, id) = try await Self.exhibit(app, examiner: alice)
            // Only the custodian sends.
            let byOther = try await Self.send(app, id, as: bob, #"{"to_user":"carol.lab","purpose":"comparison","seal_intact":true}"#)
            #expect(byOther.status == .conflict)
            #expect(byOther.isProblem)
            #expect(try byOther.object["type"] as? String == "urn:ifcd:problem:not-custodian")
            let twoReceivers = try await Self.send(app, id, as: alice, #"{"to_user":"bob.lab","to_location":"Vault","purpose":"x","seal_intact":true}"#)
            #expect(try twoReceivers.problemFields == ["to_user"])
            let sent = try await Self.send(app, id, as: alice, #"{"to_user":"bob.lab","purpose":"comparison microscopy","seal_number":"S-1001","seal_intact":true}"#)
            #expect(sent.status == .created, "\(sent.text)")
            let transfer = try sent.object
            let tid = try #require(transfer["id"] as? String)
            #expect(transfer["status"] as? String == "in_transit")
            #expect(transfer["from"] as? String == "alice.lab")
            #expect(try await app.request(.get, "/v1/exhibits/\(id)", token: alice).object["status"] as? String == "in_transit")
            // An item in transit cannot be sent again.
            let again = try await Self.send(app, id, as: alice, #"{"to_user":"carol.lab","purpose":"comparison","seal_intact":true}"#)
            #expect(again.status == .conflict)
            #expect(try again.object["type"] as? String == "urn:ifcd:problem:in-transit")
            // Only the named receiver receives.
            let receipt = "/v1/exhibits/\(id)/transfers/\(tid)/receipt"
            let byCarol = try await app.request(.post, receipt, token: carol, json: #"{"seal_intact":true}"#)
            #expect(byCarol.status == .conflict)
            #expect(try byCarol.object["type"] as? String == "urn:ifcd:problem:not-receiver")
            #expect(try await app.request(.post, receipt, token: alice, json: #"{"seal_intact":true}"#).status == .conflict)
            // Only the sender cancels.
            #expect(try await app.request(.post, "/v1/exhibits/\(id)/transfers/\(tid)/cancel", token: bob,
                                          json: #"{"reason":"not mine"}"#).status == .conflict)
            let received = try await app.request(.post, receipt, token: bob, json: #"{"seal_intact":true,"condition":"as described","remarks":"logged in"}"#)
            #expect(received.status == .ok, "\(received.text)")
            #expect(try received.object["received_by"] as? String == "bob.lab")
            #expect(try await app.request(.post, receipt, token: bob, json: #"{"seal_intact":true}"#).status == .conflict)
            let now = try await app.request(.get, "/v1/exhibits/\(id)", token: alice).object
            #expect(now["custodian"] as? String == "bob.lab")
            #expect(now["status"] as? String == "held")
            // The former custodian no longer sends; the new one does, and may call it back.
            #expect(try await Self.send(app, id, as: alice, #"{"to_user":"carol.lab","purpose":"x","seal_intact":true}"#).status == .conflict)
            let back = try await Self.send(app, id, as: bob, #"{"to_location":"Ballistics vault B","purpose":"storage","seal_intact":true}"#)
            #expect(back.status == .created)
            let backID = try #require(try back.object["id"] as? String)
            let cancelled = try await app.request(.post, "/v1/exhibits/\(id)/transfers/\(backID)/cancel", token: bob, json: #"{"reason":"wrong vault"}"#)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(try await app.request(.get, "/v1/exhibits/\(id)", token: bob).object["custodian"] as? String == "bob.lab")
            // A location transfer is taken in by an evidence officer (an examiner is 403); the location holds it.
            let stored = try #require(try await Self.send(app, id, as: bob, #"{"to_location":"Ballistics vault B","purpose":"storage","seal_intact":true}"#).object["id"] as? String)
            let byExaminer = try await app.request(.post, "/v1/exhibits/\(id)/transfers/\(stored)/receipt", token: carol, json: #"{"seal_intact":true}"#)
            #expect(byExaminer.status == .forbidden)
            #expect(try byExaminer.object["type"] as? String == "urn:ifcd:problem:not-evidence-officer")
            let keeper = try await app.token(roles: [.evidenceOfficer], username: "vault.keeper")
            #expect(try await app.request(.post, "/v1/exhibits/\(id)/transfers/\(stored)/receipt", token: keeper, json: #"{"seal_intact":true}"#).status == .ok)
            let atVault = try await app.request(.get, "/v1/exhibits/\(id)", token: carol).object
            #expect(atVault["custodian_kind"] as? String == "location")
            #expect(atVault["storage_location"] as? String == "Ballistics vault B")
            let entries = try await Self.entries(app, id, as: carol)
            #expect(entries.map { $0["event"] as? String } == ["intake", "sent", "received", "sent", "cancelled", "sent", "received"])
            Self.expectLinear(entries)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action LIKE 'exhibit.transfer.%' AND record_id = \(id)") == 6)
            #expect(try await app.count("SELECT count(*) FROM exhibit_versions WHERE exhibit_id = \(id)::uuid") == 7)
        }
    }

    @Test("a transfer to a user names an existing, enabled user: an unknown or disabled receiver is a 422 naming to_user, and nothing is written")
    func receiverMustBeAnEnabledUser() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let test = Principal.cli(osUser: "test")
            let dave = try await app.parts.accounts.createUser(
                .init(username: Username("dave.lab")!, password: "correct horse battery staple", roles: [.examiner]), by: test, requestID: nil)
            _ = try await app.parts.accounts.updateUser(id: dave.id, expectedVersion: dave.version, changes: .init(disabled: true), by: test,
                                                        requestID: nil)
            try await app.token(roles: [.examiner], username: "erin.lab")
            let (_, id) = try await Self.exhibit(app, examiner: alice)
            for receiver in ["nobody.here", "dave.lab"] {
                let refused = try await Self.send(app, id, as: alice, #"{"to_user":"\#(receiver)","purpose":"comparison","seal_intact":true}"#)
                #expect(refused.status == .unprocessableContent, "\(receiver): \(refused.text)")
                #expect(try refused.problemFields == ["to_user"])
            }
            #expect(try await app.count("SELECT count(*) FROM exhibit_transfers WHERE exhibit_id = \(id)::uuid") == 0)
            #expect(try await Self.entries(app, id, as: alice).map { $0["event"] as? String } == ["intake"])
            let exhibit = try await app.request(.get, "/v1/exhibits/\(id)", token: alice)
            #expect(try exhibit.object["status"] as? String == "held")
            // An enabled user (named in any case, as at login) is accepted.
            let sent = try await Self.send(app, id, as: alice, #"{"to_user":"Erin.Lab","purpose":"comparison","seal_intact":true}"#)
            #expect(sent.status == .created, "\(sent.text)")
        }
    }

    @Test("many clients send one exhibit at once: exactly one wins, the others are 409, the chain stays linear")
    func concurrentSends() async throws {
        try await withTestApp(configure: { $0.poolSize = 8 }) { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            for name in (1...12).map({ "receiver\($0)" }) { try await app.token(roles: [.examiner], username: name) }
            let (_, id) = try await Self.exhibit(app, examiner: alice)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 1...12 {
                    group.addTask {
                        try await Self.send(app, id, as: alice, #"{"to_user":"receiver\#(n)","purpose":"race \#(n)","seal_intact":true}"#).status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 11, "\(statuses)")
            #expect(try await app.count("SELECT count(*) FROM exhibit_transfers WHERE exhibit_id = \(id)::uuid") == 1)
            let entries = try await Self.entries(app, id, as: alice)
            #expect(entries.map { $0["event"] as? String } == ["intake", "sent"])
            Self.expectLinear(entries)
        }
    }

    @Test("a receipt and a cancellation of one transfer at once: exactly one settles it, the chain stays linear")
    func receiptRacesCancellation() async throws {
        try await withTestApp(configure: { $0.poolSize = 8 }) { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            for _ in 1...5 {
                let (_, id) = try await Self.exhibit(app, examiner: alice)
                let tid = try #require(try await Self.send(app, id, as: alice, #"{"to_user":"bob.lab","purpose":"race","seal_intact":true}"#).object["id"] as? String)
                async let received = app.request(.post, "/v1/exhibits/\(id)/transfers/\(tid)/receipt", token: bob, json: #"{"seal_intact":true}"#)
                async let cancelled = app.request(.post, "/v1/exhibits/\(id)/transfers/\(tid)/cancel", token: alice, json: #"{"reason":"called back"}"#)
                let statuses = [try await received.status.code, try await cancelled.status.code].sorted()
                #expect(statuses == [200, 409], "\(statuses)")
                let entries = try await Self.entries(app, id, as: alice)
                #expect(entries.count == 3)
                #expect(["received", "cancelled"].contains(entries.last?["event"] as? String ?? ""))
                Self.expectLinear(entries)
                let exhibit = try await app.request(.get, "/v1/exhibits/\(id)", token: alice).object
                #expect(exhibit["status"] as? String == "held")
                #expect(exhibit["custodian"] as? String == (entries.last?["event"] as? String == "received" ? "bob.lab" : "alice.lab"))
            }
        }
    }

    @Test("the database refuses a send by anyone but the holder, a second open transfer, a gap or a fork in the chain, and any rewrite of it, whatever the code does")
    func databaseKeepsTheChain() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            try await app.token(roles: [.examiner], username: "bob.lab")
            let (_, id) = try await Self.exhibit(app, examiner: alice)
            #expect(try await Self.send(app, id, as: alice, #"{"to_user":"bob.lab","purpose":"comparison","seal_intact":true}"#).status == .created)
            guard let exhibitID = UUID(uuidString: id) else { throw TestFailure("not a UUID: \(id)") }
            func sqlState(_ query: PostgresQuery) async -> String? {
                do {
                    try await app.store.withConnection { try await $0.query(query, logger: TestCluster.logger) }
                    return nil
                } catch let error as StoreError {
                    return error.sqlState
                } catch {
                    return "other: \(error)"
                }
            }
            // A second transfer of an item in transit (as the app role, bypassing the service): the trigger refuses it.
            let second: PostgresQuery = """
                INSERT INTO exhibit_transfers (id, exhibit_id, from_kind, from_party, sent_by, to_kind, to_party, purpose, seal_intact, sent_at)
                VALUES (\(UUID()), \(exhibitID), 'user', 'alice.lab', 'alice.lab', 'user', 'carol.lab', 'fork', true, now())
                """
            #expect(await sqlState(second) == "23514")
            // The exhibit's row cannot say otherwise than its chain's head (migration 0042: held again
            // while the chain says sent, or another holder, is refused at commit).
            // (The check runs at COMMIT: each is written in a transaction, as the app writes.)
            func committed(_ query: PostgresQuery) async -> String? {
                do {
                    try await app.store.transaction { try await $0.query(query, logger: TestCluster.logger) }
                    return nil
                } catch let error as StoreError {
                    return error.sqlState
                } catch {
                    return "other: \(error)"
                }
            }
            #expect(await committed("UPDATE exhibits SET status = 'held' WHERE id = \(exhibitID)") == "23514")
            #expect(await committed("UPDATE exhibits SET custodian = 'mallory.lab' WHERE id = \(exhibitID)") == "23514")
            #expect(await committed("""
                INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, transfer_id, recorded_by, custodian_kind, custodian, at)
                SELECT \(exhibitID), 3, 2, 'received', t.id, 'bob.lab', 'user', 'bob.lab', now() FROM exhibit_transfers t
                WHERE t.exhibit_id = \(exhibitID) AND t.status = 'in_transit'
                """) == "23514", "a receipt entry the exhibit's row does not follow")
            // And within one transaction, before that check runs at commit, the unique index on open
            // transfers still refuses a second one.
            do {
                try await app.store.transaction { connection in
                    try await connection.query("UPDATE exhibits SET status = 'held' WHERE id = \(exhibitID)", logger: TestCluster.logger)
                    try await connection.query(second, logger: TestCluster.logger)
                }
                Issue.record("a second open transfer was accepted")
            } catch let error as StoreError {
                #expect(error.sqlState == "23505")
            }
            // A sender who is not the holder.
            #expect(await sqlState("""
                INSERT INTO exhibit_transfers (id, exhibit_id, from_kind, from_party, sent_by, to_kind, to_party, purpose, seal_intact, sent_at)
                VALUES (\(UUID()), \(exhibitID), 'user', 'alice.lab', 'mallory.lab', 'user', 'carol.lab', 'theft', true, now())
                """) == "23514")
            // A fork: a second entry 2.
            #expect(await sqlState("""
                INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, recorded_by, custodian_kind, custodian, at)
                VALUES (\(exhibitID), 2, 1, 'resealed', 'alice.lab', 'user', 'alice.lab', now())
                """) == "23505")
            // A gap: entry 4 without entry 3.
            #expect(await sqlState("""
                INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, recorded_by, custodian_kind, custodian, at)
                VALUES (\(exhibitID), 4, 3, 'resealed', 'alice.lab', 'user', 'alice.lab', now())
                """) == "23503")
            // An entry that skips its predecessor.
            #expect(await sqlState("""
                INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, recorded_by, custodian_kind, custodian, at)
                VALUES (\(exhibitID), 3, 1, 'resealed', 'alice.lab', 'user', 'alice.lab', now())
                """) == "23514")
            // A rewrite or removal.
            #expect(await sqlState("UPDATE exhibit_custody SET custodian = 'mallory' WHERE exhibit_id = \(exhibitID)") == "42501")
            #expect(await sqlState("DELETE FROM exhibit_custody WHERE exhibit_id = \(exhibitID)") == "42501")
            // A receipt by someone other than the named receiver.
            #expect(await sqlState("""
                UPDATE exhibit_transfers SET status = 'received', received_by = 'carol.lab', received_at = now(), seal_intact_on_receipt = true
                WHERE exhibit_id = \(exhibitID)
                """) == "23514")
            #expect(try await app.count("SELECT count(*) FROM exhibit_custody WHERE exhibit_id = \(exhibitID)") == 2)
        }
    }

    @Test("hand-over outside the system: the sender records the signed receipt's SHA-256 and reference; nobody else does, and not without them")
    func outsideHandOver() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            let (_, id) = try await Self.exhibit(app, examiner: alice)
            let sent = try await Self.send(app, id, as: alice, #"{"to_outside":"Home Circuit Court, Kingston","purpose":"trial exhibit","seal_intact":true}"#)
            #expect(sent.status == .created, "\(sent.text)")
            let tid = try #require(try sent.object["id"] as? String)
            let receipt = "/v1/exhibits/\(id)/transfers/\(tid)/receipt"
            let sha = String(repeating: "ab", count: 32)
            #expect(try await app.request(.post, receipt, token: bob,
                                          json: #"{"seal_intact":true,"receipt_sha256":"\#(sha)","receipt_reference":"HCC-2025-77"}"#).status == .conflict)
            let missing = try await app.request(.post, receipt, token: alice, json: #"{"seal_intact":true}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(try missing.problemFields == ["receipt_sha256", "receipt_reference"])
            #expect(try await app.request(.post, receipt, token: alice,
                                          json: #"{"seal_intact":true,"receipt_sha256":"XYZ","receipt_reference":"HCC-2025-77"}"#).problemFields == ["receipt_sha256"])
            let done = try await app.request(.post, receipt, token: alice,
                                             json: #"{"seal_intact":true,"receipt_sha256":"\#(sha)","receipt_reference":"HCC-2025-77"}"#)
            #expect(done.status == .ok, "\(done.text)")
            #expect(try done.object["receipt_sha256"] as? String == sha)
            let exhibit = try await app.request(.get, "/v1/exhibits/\(id)", token: bob).object
            #expect(exhibit["custodian_kind"] as? String == "outside")
            #expect(exhibit["custodian"] as? String == "Home Circuit Court, Kingston")
            let entries = try await Self.entries(app, id, as: bob)
            #expect(entries.last?["event"] as? String == "handed_over")
            #expect((entries.last?["detail"] as? [String: Any])?["receipt_sha256"] as? String == sha)
            // A user transfer takes no signed receipt.
            let (_, other) = try await Self.exhibit(app, examiner: alice)
            let toBob = try #require(try await Self.send(app, other, as: alice, #"{"to_user":"bob.lab","purpose":"x","seal_intact":true}"#).object["id"] as? String)
            #expect(try await app.request(.post, "/v1/exhibits/\(other)/transfers/\(toBob)/receipt", token: bob,
                                          json: #"{"seal_intact":true,"receipt_reference":"R"}"#).problemFields == ["receipt_reference"])
        }
    }

    @Test("a seal broken on receipt flags the exhibit and its case; re-sealing records the new seal in the chain")
    func brokenSealAndResealing() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            let analyst = try await app.token(roles: [.analyst])
            let (caseID, id) = try await Self.exhibit(app, examiner: alice)
            _ = try await ExhibitsTests.create(app, examiner: alice, ExhibitsTests.exhibit(case: caseID))
            let before = try await app.request(.get, "/v1/cases/\(caseID)/exhibits", token: analyst).object
            #expect(before["broken_seal"] as? Bool == false)
            #expect((before["exhibits"] as? [[String: Any]])?.count == 2)
            let tid = try #require(try await Self.send(app, id, as: alice, #"{"to_user":"bob.lab","purpose":"comparison","seal_number":"S-1001","seal_intact":true}"#).object["id"] as? String)
            let received = try await app.request(.post, "/v1/exhibits/\(id)/transfers/\(tid)/receipt", token: bob,
                                                 json: #"{"seal_intact":false,"condition":"bag torn at the seal","remarks":"photographed"}"#)
            #expect(received.status == .ok, "\(received.text)")
            #expect(try await app.request(.get, "/v1/exhibits/\(id)", token: analyst).object["seal_broken"] as? Bool == true)
            let after = try await app.request(.get, "/v1/cases/\(caseID)/exhibits", token: analyst).object
            #expect(after["broken_seal"] as? Bool == true)
            #expect(try await app.request(.get, "/v1/cases/\(UUID().uuidString.lowercased())/exhibits", token: analyst).status == .notFound)
            // Only the custodian re-seals.
            #expect(try await app.request(.post, "/v1/exhibits/\(id)/seals", token: alice, json: #"{"seal_number":"S-3003"}"#).status == .conflict)
            let resealed = try await app.request(.post, "/v1/exhibits/\(id)/seals", token: bob, json: #"{"seal_number":"S-3003","reason":"re-sealed after comparison"}"#)
            #expect(resealed.status == .ok, "\(resealed.text)")
            #expect(try resealed.object["seal_number"] as? String == "S-3003")
            let entries = try await Self.entries(app, id, as: analyst)
            #expect(entries.map { $0["event"] as? String } == ["intake", "sent", "received", "resealed"])
            #expect(entries[2]["seal_intact"] as? Bool == false)
            #expect(entries[3]["seal_number"] as? String == "S-3003")
            #expect((entries[3]["detail"] as? [String: Any])?["previous_seal_number"] as? String == "S-1001")
            Self.expectLinear(entries)
        }
    }

    @Test("disposition with authority and date ends the chain: nothing is sent, re-sealed or disposed again; a future date is refused")
    func disposition() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            try await app.token(roles: [.examiner], username: "bob.lab")
            try await app.token(roles: [.examiner], username: "carol.lab")
            let (_, id) = try await Self.exhibit(app, examiner: alice)
            let tomorrow = CalendarDate(app.clock.now.addingTimeInterval(86400)).text
            let future = try await app.request(.post, "/v1/exhibits/\(id)/disposition", token: alice,
                                               json: #"{"disposition":"destroyed","authority":"Order of the Resident Magistrate, 2025/114","date":"\#(tomorrow)","certificate_number":"DC-1","witnesses":["bob.lab","carol.lab"]}"#)
            #expect(future.status == .unprocessableContent)
            #expect(try future.problemFields == ["date"])
            let today = CalendarDate(app.clock.now).text
            let disposed = try await app.request(.post, "/v1/exhibits/\(id)/disposition", token: alice,
                                                 json: #"{"disposition":"destroyed","authority":"Order of the Resident Magistrate, 2025/114","date":"\#(today)","certificate_number":"DC-1","witnesses":["bob.lab","carol.lab"]}"#)
            #expect(disposed.status == .ok, "\(disposed.text)")
            #expect(try disposed.object["status"] as? String == "disposed")
            #expect(try disposed.object["disposition"] as? String == "destroyed")
            let send = try await Self.send(app, id, as: alice, #"{"to_user":"bob.lab","purpose":"x","seal_intact":true}"#)
            #expect(send.status == .conflict)
            #expect(try send.object["type"] as? String == "urn:ifcd:problem:exhibit-disposed")
            #expect(try await app.request(.post, "/v1/exhibits/\(id)/seals", token: alice, json: #"{"seal_number":"S-9"}"#).status == .conflict)
            #expect(try await app.request(.post, "/v1/exhibits/\(id)/disposition", token: alice,
                                          json: #"{"disposition":"retained","authority":"x","date":"\#(today)"}"#).status == .conflict)
            // An item in transit is not disposed of.
            let (_, moving) = try await Self.exhibit(app, examiner: alice)
            #expect(try await Self.send(app, moving, as: alice, #"{"to_user":"bob.lab","purpose":"x","seal_intact":true}"#).status == .created)
            #expect(try await app.request(.post, "/v1/exhibits/\(moving)/disposition", token: alice,
                                          json: #"{"disposition":"retained","authority":"x","date":"\#(today)"}"#).status == .conflict)
            // The database refuses to move a disposed exhibit or extend its chain.
            guard let exhibitID = UUID(uuidString: id) else { throw TestFailure("not a UUID") }
            for query: PostgresQuery in ["UPDATE exhibits SET status = 'held', disposition = NULL, disposition_authority = NULL, disposed_on = NULL WHERE id = \(exhibitID)",
                                         """
                                         INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, recorded_by, custodian_kind, custodian, at)
                                         VALUES (\(exhibitID), 3, 2, 'resealed', 'alice.lab', 'user', 'alice.lab', now())
                                         """] {
                do {
                    try await app.store.withConnection { try await $0.query(query, logger: TestCluster.logger) }
                    Issue.record("the database accepted a change to a disposed exhibit")
                } catch let error as StoreError {
                    #expect(error.sqlState == "23514")
                }
            }
            let entries = try await Self.entries(app, id, as: alice)
            #expect(entries.map { $0["event"] as? String } == ["intake", "disposed"])
            #expect((entries.last?["detail"] as? [String: Any])?["authority"] as? String == "Order of the Resident Magistrate, 2025/114")
        }
    }
}
