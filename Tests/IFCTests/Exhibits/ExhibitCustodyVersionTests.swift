import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCStore
import PostgresNIO
import Testing

/// Each custody step keeps the exhibit as it became as its next version (part of the chain of
/// custody suite; a file of its own to keep the suite's file readable).
extension ExhibitCustodyTests {
    /// The exhibit's newest kept version: (version, change, the record as JSON).
    static func newestVersion(_ app: TestApp, _ id: String) async throws -> (Int, String, [String: Any]) {
        guard let exhibitID = UUID(uuidString: id) else { throw TestFailure("not a UUID") }
        let row = try await app.database.asOwner { connection -> (Int, String, String)? in
            for try await row in try await connection.query("""
                SELECT version, change, record::text FROM exhibit_versions WHERE exhibit_id = \(exhibitID) ORDER BY version DESC LIMIT 1
                """, logger: TestCluster.logger).decode((Int, String, String).self) { return row }
            return nil
        }
        let (version, change, record) = try #require(row)
        return (version, change, try #require(try JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any]))
    }

    @Test("every custody step keeps the exhibit as it became as its next version, with its audit entry; the answer and the ETag are the record as it reads back")
    func stepsKeepVersionAndAudit() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            let (_, id) = try await Self.exhibit(app, examiner: alice)
            let path = "/v1/exhibits/\(id)"
            var expectedVersion = 1
            var lastUpdated = ""
            /// After a step: the newest version is the next one, names the change, and holds the
            /// exhibit exactly as GET answers it (ETag included); one more audit entry of `action`.
            func expectStep(_ action: String, change: String, audits: Int, by token: String) async throws {
                expectedVersion += 1
                let read = try await app.request(.get, path, token: token)
                #expect(read.headers[.eTag] == "\"\(expectedVersion)\"")
                let exhibit = try read.object
                let (version, kept, record) = try await Self.newestVersion(app, id)
                #expect(version == expectedVersion)
                #expect(kept == change)
                #expect(NSDictionary(dictionary: record) == NSDictionary(dictionary: exhibit), "\(record) is not \(exhibit)")
                let updated = try #require(exhibit["updated_at"] as? String)
                #expect(updated >= lastUpdated)
                lastUpdated = updated
                #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = \(action) AND record_id = \(id)") == audits)
            }
            let sent = try await Self.send(app, id, as: alice, #"{"to_user":"bob.lab","purpose":"comparison","seal_number":"S-2002","seal_intact":false}"#)
            #expect(sent.status == .created, "\(sent.text)")
            let tid = try #require(try sent.object["id"] as? String)
            try await expectStep("exhibit.transfer.send", change: "sent to bob.lab (user): comparison", audits: 1, by: alice)
            // The transfer answered is the transfer as it reads back.
            let open = try await app.request(.get, "\(path)/custody", token: alice).object["open_transfer"] as? [String: Any]
            #expect(NSDictionary(dictionary: open ?? [:]) == NSDictionary(dictionary: try sent.object))
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'exhibit.transfer.send' AND detail->>'transfer_id' = \(tid)
                  AND detail->>'seal' = 'not intact on sending'
                """) == 1)
            let received = try await app.request(.post, "\(path)/transfers/\(tid)/receipt", token: bob, json: #"{"seal_intact":false,"condition":"torn"}"#)
            #expect(received.status == .ok, "\(received.text)")
            #expect(try received.object["status"] as? String == "received")
            #expect(try received.object["condition"] as? String == "torn")
            try await expectStep("exhibit.transfer.receive", change: "received by bob.lab; seal found broken", audits: 1, by: bob)
            #expect(try await app.request(.get, path, token: bob).object["seal_broken"] as? Bool == true)
            let back = try #require(try await Self.send(app, id, as: bob, #"{"to_location":"Vault C","purpose":"storage","seal_intact":true}"#).object["id"] as? String)
            try await expectStep("exhibit.transfer.send", change: "sent to Vault C (location): storage", audits: 2, by: bob)
            let cancelled = try await app.request(.post, "\(path)/transfers/\(back)/cancel", token: bob, json: #"{"reason":"wrong vault"}"#)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(try cancelled.object["cancel_reason"] as? String == "wrong vault")
            try await expectStep("exhibit.transfer.cancel", change: "transfer to Vault C cancelled", audits: 1, by: bob)
            let resealed = try await app.request(.post, "\(path)/seals", token: bob, json: #"{"seal_number":"S-3003"}"#)
            #expect(resealed.status == .ok, "\(resealed.text)")
            try await expectStep("exhibit.reseal", change: "re-sealed under S-3003", audits: 1, by: bob)
            // A re-seal answers the exhibit byte for byte as GET does, with its version as the ETag.
            let afterReseal = try await app.request(.get, path, token: bob)
            #expect(resealed.text == afterReseal.text)
            #expect(resealed.headers[.eTag] == afterReseal.headers[.eTag])
            #expect(try await app.request(.patch, path, token: bob, json: #"{"quantity":2}"#,
                                          headers: [.ifMatch: "\"\(expectedVersion - 1)\""]).status == .preconditionFailed)
            let today = CalendarDate(app.clock.now).text
            let disposed = try await app.request(.post, "\(path)/disposition", token: bob,
                                                 json: #"{"disposition":"retained","authority":"Lab order 7","date":"\#(today)"}"#)
            #expect(disposed.status == .ok, "\(disposed.text)")
            try await expectStep("exhibit.dispose", change: "disposed of: retained (Lab order 7)", audits: 1, by: bob)
            let afterDisposal = try await app.request(.get, path, token: bob)
            #expect(disposed.text == afterDisposal.text)
            #expect(disposed.headers[.eTag] == afterDisposal.headers[.eTag])
            // Each step wrote one chain entry, in order.
            let entries = try await Self.entries(app, id, as: bob)
            #expect(entries.map { $0["event"] as? String } == ["intake", "sent", "received", "sent", "cancelled", "resealed", "disposed"])
            Self.expectLinear(entries)
        }
    }
}
