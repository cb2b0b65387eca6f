import Foundation
import HTTPTypes
import IFCCore
@testable import IFCStore
import PostgresNIO
import Testing

@Suite("Audit trail")
struct AuditTests {
    /// Some activity: users created (write entries), read (read entries), a login.
    static func activity(_ app: TestApp) async throws -> (admin: String, auditor: String) {
        let admin = try await app.token(roles: [.admin], username: "root1")
        let auditor = try await app.token(roles: [.auditor], username: "ivy")
        for name in ["hank", "iris", "jack"] {
            let created = try await app.request(.post, "/v1/users", token: admin,
                                                json: #"{"username":"\#(name)","password":"correct horse battery staple","roles":["clerk"]}"#)
            #expect(created.status == .created)
            let location = try #require(created.headers[.location])
            #expect(try await app.request(.get, location, token: admin).status == .ok)
        }
        _ = try await app.request(.post, "/v1/auth/token", json: #"{"username":"hank","password":"wrong password!"}"#)
        return (admin, auditor)
    }

    static func verify(_ app: TestApp) async throws -> AuditVerifier.Report {
        _ = try await app.parts.sealer.sealAll()
        return try await app.database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(on: $0) }
    }

    static func sqlState(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as PSQLError {
            return error.serverInfo?[.sqlState]
        } catch {
            return "\(error)"
        }
    }

    @Test("the app role cannot UPDATE, DELETE or TRUNCATE audit rows; the owner is refused by triggers")
    func appendOnly() async throws {
        try await withTestApp { app in
            _ = try await Self.activity(app)
            _ = try await app.parts.sealer.sealAll()
            for statement: PostgresQuery in [
                "UPDATE audit_entries SET action = 'x' WHERE seq = 1", "DELETE FROM audit_entries WHERE seq = 1",
                "TRUNCATE audit_entries", "UPDATE audit_seals SET hash = hash WHERE position = 1",
                "DELETE FROM audit_seals", "TRUNCATE audit_seals CASCADE",
            ] {
                let asApp = await Self.sqlState { try await app.database.asApp { _ = try await $0.query(statement, logger: TestCluster.logger) } }
                #expect(asApp == "42501", "app role: \(statement.sql)")
                let asOwner = await Self.sqlState { try await app.database.asOwner { _ = try await $0.query(statement, logger: TestCluster.logger) } }
                #expect(asOwner == "42501", "owner: \(statement.sql)")
            }
            let report = try await Self.verify(app)
            #expect(report.ok)
        }
    }

    @Test("verify reports ok N entries over real activity")
    func verifyOK() async throws {
        try await withTestApp { app in
            let (_, auditor) = try await Self.activity(app)
            let report = try await Self.verify(app)
            #expect(report.ok)
            let total = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries", as: Int.self) }
            #expect(report.sealed == total)
            #expect(report.summary == "ok \(total ?? -1) entries")
            let api = try await app.request(.get, "/v1/audit/verify", token: auditor)
            #expect(api.status == .ok)
            #expect(try api.object["ok"] as? Bool == true)
        }
    }

    /// Tampering as the owner with the triggers disabled, as an attacker with database access could.
    static func tamper(_ app: TestApp, _ statement: PostgresQuery) async throws {
        try await app.database.asOwner { connection in
            try await connection.query("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only", logger: TestCluster.logger)
            try await connection.query(statement, logger: TestCluster.logger)
            try await connection.query("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only", logger: TestCluster.logger)
        }
    }

    @Test("verify finds an edited entry and names its sequence")
    func editedEntry() async throws {
        try await withTestApp { app in
            let (_, auditor) = try await Self.activity(app)
            #expect(try await Self.verify(app).ok)
            try await Self.tamper(app, "UPDATE audit_entries SET actor = actor || '-x' WHERE seq = 5")
            let report = try await Self.verify(app)
            #expect(!report.ok)
            #expect(report.breaks.count == 1 && report.breaks[0].covers(5), "\(report.summary)")
            let api = try await app.request(.get, "/v1/audit/verify", token: auditor)
            #expect(try api.object["ok"] as? Bool == false)
            let first = try #require((try api.object["breaks"] as? [[String: Any]])?.first)
            let low = try #require(first["seq"] as? Int), high = first["last_seq"] as? Int ?? low
            let brokenAt = try api.object["broken_at"] as? Int
            #expect(low <= 5 && 5 <= high && brokenAt == low)
        }
    }

    @Test("verify finds a deleted entry")
    func deletedEntry() async throws {
        try await withTestApp { app in
            _ = try await Self.activity(app)
            #expect(try await Self.verify(app).ok)
            try await Self.tamper(app, "DELETE FROM audit_entries WHERE seq = 4")
            let report = try await Self.verify(app)
            #expect(!report.ok)
            #expect(report.brokenAt == 4)
            #expect(report.reason?.contains("removed") == true)
        }
    }

    @Test("verify finds reordered entries (contents swapped between sequences)")
    func reorderedEntries() async throws {
        try await withTestApp { app in
            _ = try await Self.activity(app)
            #expect(try await Self.verify(app).ok)
            try await Self.tamper(app, """
                UPDATE audit_entries a SET actor = b.actor, action = b.action, record_id = b.record_id, detail = b.detail, at = b.at
                FROM audit_entries b WHERE (a.seq, b.seq) IN ((6, 7), (7, 6))
                """)
            let report = try await Self.verify(app)
            #expect(!report.ok)
            // In one run or two, depending on how the sealer's rounds fell: each is named.
            #expect(report.breaks.contains { $0.covers(6) } && report.breaks.contains { $0.covers(7) }, "\(report.summary)")
        }
    }

    @Test("entries left unsealed longer than the limit (no sealer running) are reported")
    func unsealedTooLong() async throws {
        try await withTestDatabase { database in
            // No app and no sealer here: the entry stays unsealed. Its time is the server's (no
            // insert can back-date it), so the limit is made shorter than its age instead.
            try await database.asOwner { connection in
                try await connection.query("""
                    INSERT INTO audit_entries (at, actor, roles, action, outcome) VALUES (now() - interval '2 hours', 'mallory', '{}', 'test.backdated', 'success')
                    """, logger: TestCluster.logger)
            }
            #expect(try await database.asOwner { connection -> Bool in
                for try await recent in try await connection.query("SELECT at > now() - interval '1 minute' FROM audit_entries", logger: TestCluster.logger).decode(Bool.self) {
                    return recent
                }
                return false
            })
            let report = try await database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, maxUnsealedAge: -1, logger: TestCluster.logger).verify(on: $0) }
            #expect(!report.ok)
            #expect(report.unsealed == 1)
            #expect(report.brokenAt == 1)
            let lenient = try await database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, maxUnsealedAge: 3 * 3600, logger: TestCluster.logger).verify(on: $0) }
            #expect(lenient.ok)
        }
    }

    @Test("a read's entry is committed before the response; a write's entry commits with the write")
    func entriesCommitWithTheirRequests() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let created = try await app.request(.post, "/v1/users", token: admin, json: #"{"username":"kate","password":"correct horse battery staple","roles":["examiner"]}"#)
            let id = try #require(try created.object["id"] as? String)
            let writes = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries WHERE action = 'user.create' AND record_id = \(id)", as: Int.self) }
            #expect(writes == 1)
            #expect(try await app.request(.get, "/v1/users/\(id)", token: admin).status == .ok)
            let reads = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries WHERE action = 'user.read' AND record_id = \(id)", as: Int.self) }
            #expect(reads == 1)
        }
    }

    @Test("when the audit trail cannot be written, no write happens and no record data is returned")
    func noUnloggedReadOrWrite() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let created = try await app.request(.post, "/v1/users", token: admin, json: #"{"username":"liam","password":"correct horse battery staple","roles":["clerk"]}"#)
            let id = try #require(try created.object["id"] as? String)
            try await app.database.asOwner { try await $0.query("REVOKE INSERT ON audit_entries FROM ifcd_app", logger: TestCluster.logger) }
            let read = try await app.request(.get, "/v1/users/\(id)", token: admin)
            #expect(read.status.code >= 500)
            #expect(read.isProblem)
            #expect(!read.text.contains("liam"))
            let write = try await app.request(.post, "/v1/users", token: admin, json: #"{"username":"mia","password":"correct horse battery staple","roles":["clerk"]}"#)
            #expect(write.status.code >= 500)
            let count = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM users WHERE username = 'mia'", as: Int.self) }
            #expect(count == 0)
        }
    }

    @Test("GET /v1/audit filters by record, actor, action and time, pages by sequence, and is itself audited")
    func listing() async throws {
        try await withTestApp { app in
            let (_, auditor) = try await Self.activity(app)
            let hankID = try await app.database.asOwner { try await $0.scalar("SELECT id::text FROM users WHERE username = 'hank'", as: String.self) }
            let byRecord = try await app.request(.get, "/v1/audit?record_type=user&record_id=\(hankID!)", token: auditor)
            #expect(byRecord.status == .ok)
            let items = try #require(try byRecord.object["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["action"] as? String }) == ["user.create", "user.read", "auth.login"])
            let byActor = try await app.request(.get, "/v1/audit?actor=root1&action=user.read", token: auditor)
            #expect((try byActor.object["items"] as? [[String: Any]])?.count == 3)
            let future = try await app.request(.get, "/v1/audit?from=2100-01-01T00:00:00Z", token: auditor)
            #expect((try future.object["items"] as? [[String: Any]])?.isEmpty == true)
            let badTime = try await app.request(.get, "/v1/audit?from=yesterday", token: auditor)
            #expect(badTime.status == .unprocessableContent)
            #expect(try badTime.problemFields == ["from"])
            // Keyset pages: strictly increasing sequences, no repeats.
            var seqs: [Int] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await app.request(.get, "/v1/audit?limit=4" + (cursor.map { "&cursor=\($0)" } ?? ""), token: auditor)
                seqs += ((try page.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["seq"] as? Int }
                cursor = try page.object["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 50
            #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count && seqs.count >= 10)
            let listed = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries WHERE action = 'audit.read' AND actor = 'ivy'", as: Int.self) }
            #expect((listed ?? 0) >= 4)
        }
    }

    @Test("sealAll waits for a round another sealer holds, then seals everything")
    func sealAllWaitsForTheLock() async throws {
        try await withTestDatabase { database in
            let client = PostgresClient(configuration: try database.appSettings.clientConfiguration(maximumConnections: 2),
                                        backgroundLogger: TestCluster.logger)
            let store = Database(client: client, maximumConnections: 2, logger: TestCluster.logger)
            let sealerStore = try database.sealerStore()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask { await sealerStore.client.run() }
                defer { group.cancelAll() }
                for index in 0..<5 {
                    try await store.transaction { connection in
                        try await AuditLog.append(AuditEntry(actor: "t\(index)", actorID: nil, roles: [], action: "test.entry", requestID: nil), on: connection)
                    }
                }
                // Another sealer's round holds the lock.
                let holder = try await database.ownerSettings.connect(logger: TestCluster.logger)
                try await holder.query("BEGIN", logger: TestCluster.logger)
                try await holder.query("SELECT pg_advisory_xact_lock(\(AuditSealer.lockKey))", logger: TestCluster.logger)
                let sealer = AuditSealer(database: sealerStore, key: TestCluster.sealKey, logger: TestCluster.logger)
                let sealing = Task { try await sealer.sealAll() }
                var waiting = false
                for _ in 0..<200 where !waiting {
                    waiting = try await holder.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", as: Int.self) == 1
                    if !waiting { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(waiting, "sealAll must wait for the lock, not report nothing to seal")
                try await holder.query("COMMIT", logger: TestCluster.logger)
                try await holder.close()
                #expect(try await sealing.value == 5)
            }
        }
    }

    @Test("the chain hash tells role lists apart that a joined string would not")
    func rolesHashedApart() {
        func entry(_ roles: [String]) -> StoredAuditEntry {
            StoredAuditEntry(seq: 1, atMicros: 0, entry: AuditEntry(actor: "a", actorID: nil, roles: roles, action: "x.y", requestID: nil))
        }
        #expect(AuditChain.hash(previous: AuditChain.genesis, entry: entry(["admin", "clerk"]))
                != AuditChain.hash(previous: AuditChain.genesis, entry: entry(["admin,clerk"])))
    }

    @Test("serving as a role that owns the audit tables is refused")
    func appRoleMustNotOwnTheTrail() async throws {
        try await withTestDatabase { database in
            await #expect(throws: ConfigurationError.self) {
                try await StoreRuntime.checkAppRoleDoesNotOwnTheTrail(try database.ownerSettings, logger: TestCluster.logger)
            }
            try await StoreRuntime.checkAppRoleDoesNotOwnTheTrail(try database.appSettings, logger: TestCluster.logger)
        }
    }
}

extension AuditTests {
    @Test("the parallel verify (ranges of seals over one snapshot) agrees with the single walk, at any number of workers")
    func parallelVerify() async throws {
        try await withTestApp { app in
            _ = try await Self.activity(app)
            _ = try await app.parts.sealer.sealAll()
            // Seals written one round at a time, so there are many to split between walkers.
            for round in 0..<12 {
                try await app.store.transaction { connection in
                    for index in 0...(round % 3) {
                        try await AuditLog.append(AuditEntry(actor: "r\(round)", actorID: nil, roles: [], action: "test.entry",
                                                             recordID: "\(index)", requestID: nil), on: connection)
                    }
                }
                _ = try await app.parts.sealer.sealAll()
            }
            let sealed = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_seals", as: Int.self) } ?? 0
            let entries = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries", as: Int.self) } ?? 0
            #expect(sealed > 10)
            for workers in 1...5 {
                let report = try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(database: app.store, workers: workers)
                #expect(report.ok && report.sealed == entries, "\(workers) workers: \(report.summary)")
            }
            // An edit late in the trail, and then a seal removed where two ranges meet: every split
            // reports the breaks the single walk does.
            try await Self.tamper(app, "UPDATE audit_entries SET actor = actor || '-x' WHERE seq = \(entries - 1)")
            for workers in 1...5 {
                let report = try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(database: app.store, workers: workers)
                #expect(report.breaks.count == 1 && report.breaks[0].covers(Int64(entries - 1)), "\(workers) workers: \(report.summary)")
            }
            let middle = sealed / 2 + 1
            try await app.database.asOwner { connection in
                try await connection.query("ALTER TABLE audit_seals DISABLE TRIGGER USER", logger: TestCluster.logger)
                try await connection.query("DELETE FROM audit_seals WHERE position = \(middle)", logger: TestCluster.logger)
                try await connection.query("ALTER TABLE audit_seals ENABLE TRIGGER USER", logger: TestCluster.logger)
            }
            let single = try await app.database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(on: $0) }
            #expect(!single.ok)
            for workers in 1...5 {
                let report = try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(database: app.store, workers: workers)
                #expect(!report.ok, "\(workers) workers missed the removed seal")
                #expect(report.reason?.contains("\(middle)") == true, "\(workers) workers: \(report.summary)")
            }
        }
    }
}

extension AuditTests {
    @Test("with a pool of one connection the verify walks on the leader alone instead of waiting for walkers")
    func verifyPoolOfOne() async throws {
        try await withTestApp(configure: { $0.poolSize = 1 }) { app in
            _ = try await Self.activity(app)
            _ = try await app.parts.sealer.sealAll()
            let report = try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(database: app.store, workers: 3)
            #expect(report.ok && report.sealed > 10, "\(report.summary)")
        }
    }
}
