import Crypto
import Foundation
import IFCCore
@testable import IFCStore
import PostgresNIO
import Testing

/// Seals written by their own role, keyed, one per run of entries: what the application role
/// and the database owner can and cannot do to them against a running daemon, and that verify
/// reports every break it finds.
@Suite("Audit seals: the sealer's role and key")
struct AuditSealTrustTests {
    static func sqlState(_ body: () async throws -> Void) async -> String? {
        await AuditTests.sqlState(body)
    }

    static func owner(_ app: TestApp, _ statement: PostgresQuery) async throws {
        try await app.database.asOwner { _ = try await $0.query(statement, logger: TestCluster.logger) }
    }

    static func verify(_ app: TestApp) async throws -> AuditVerifier.Report {
        try await app.database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(on: $0) }
    }

    /// Entries sealed in several rounds, so the trail has several seals.
    static func sealedRounds(_ app: TestApp, rounds: Int = 4) async throws {
        for round in 0..<rounds {
            try await app.store.transaction { connection in
                for index in 0..<3 {
                    try await AuditLog.append(AuditEntry(actor: "w\(round)", actorID: nil, roles: ["clerk"], action: "test.entry",
                                                         recordID: "\(index)", requestID: nil), on: connection)
                }
            }
            _ = try await app.parts.sealer.sealAll()
        }
    }

    @Test("only the sealer's role writes seals: the app role is refused, the sealer cannot touch entries, and start-up refuses an app role that could")
    func sealerRole() async throws {
        try await withTestApp { app in
            try await Self.sealedRounds(app, rounds: 1)
            let forged: PostgresQuery = """
                INSERT INTO audit_seals (position, entry_seq, last_seq, entry_count, keyed, prev_hash, hash)
                VALUES (1000, 1000, 1000, 1, true, '\\x\(unescaped: String(repeating: "00", count: 32))', '\\x\(unescaped: String(repeating: "11", count: 32))')
                """
            let asApp = await Self.sqlState { try await app.database.asApp { _ = try await $0.query(forged, logger: TestCluster.logger) } }
            #expect(asApp == "42501", "the app role must not write seals")
            for statement: PostgresQuery in [
                "UPDATE audit_entries SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_entries WHERE seq = 1",
                "INSERT INTO audit_entries (actor, roles, action, outcome) VALUES ('x', '{}', 'test.entry', 'success')",
                "UPDATE audit_seals SET hash = hash WHERE position = 1", "DELETE FROM audit_seals WHERE position = 1",
            ] {
                let asSealer = await Self.sqlState {
                    try await app.database.sealerSettings.withConnection(logger: TestCluster.logger) {
                        _ = try await $0.query(statement, logger: TestCluster.logger)
                    }
                }
                #expect(asSealer == "42501", "sealer role: \(statement.sql)")
            }
            #expect(try await Self.verify(app).ok)
        }
        try await withTestDatabase { database in
            let owner = try database.ownerSettings.username
            try await database.asOwner { _ = try await $0.query("GRANT INSERT ON audit_seals TO ifcd_app", logger: TestCluster.logger) }
            do {
                try await StoreRuntime.checkAppRoleCannotRewriteTheTrail(try database.appSettings, owner: owner, logger: TestCluster.logger)
                Issue.record("an app role that may write seals was accepted")
            } catch let error as ConfigurationError {
                #expect("\(error)".contains("audit_seals INSERT"), "\(error)")
            }
        }
    }

    @Test("a seal the owner writes without the key is found, keyed or not, and so is a seal's time changed")
    func forgedSeals() async throws {
        try await withTestApp { app in
            try await Self.sealedRounds(app)
            #expect(try await Self.verify(app).ok)
            // The owner adds an entry and seals it with the unkeyed scheme of old seals.
            try await Self.ownerSealsNewEntry(app) { connection, position, previous, entry in
                let hash = AuditChain.hash(previous: previous, entry: entry)
                try await connection.query("""
                    INSERT INTO audit_seals (position, entry_seq, prev_hash, hash)
                    VALUES (\(position + 1), \(entry.seq), \(ByteBuffer(bytes: previous)), \(ByteBuffer(bytes: hash)))
                    """, logger: TestCluster.logger)
            }
            let unkeyed = try await Self.verify(app)
            #expect(unkeyed.breaks.count == 1 && unkeyed.reason?.contains("not keyed") == true, "\(unkeyed.summary)")

            // A keyed seal's time is part of its hash.
            try await Self.owner(app, "ALTER TABLE audit_seals DISABLE TRIGGER USER")
            try await Self.owner(app, "UPDATE audit_seals SET sealed_at = sealed_at - interval '1 day' WHERE position = 2")
            let retimed = try await Self.verify(app)
            #expect(retimed.breaks.contains { $0.position == 2 && $0.reason.contains("does not match") }, "\(retimed.summary)")
        }
    }

    @Test("a keyed seal written under another key (the owner sealing with a key of their own) is found")
    func otherKey() async throws {
        try await withTestApp { app in
            try await Self.sealedRounds(app, rounds: 2)
            try await Self.ownerSealsNewEntry(app) { connection, position, previous, entry in
                let run = AuditChain.Run(position: position + 1, firstSeq: entry.seq, lastSeq: entry.seq, holes: [], count: 1,
                                         sealedAtMicros: 1_800_000_000_000_000, previous: previous)
                let hash = AuditChain.keyedHash(key: SymmetricKey(size: .bits256), run: run, entries: [entry])
                try await connection.query("""
                    INSERT INTO audit_seals (position, entry_seq, last_seq, entry_count, keyed, prev_hash, hash, sealed_at)
                    VALUES (\(position + 1), \(entry.seq), \(entry.seq), 1, true, \(ByteBuffer(bytes: previous)), \(ByteBuffer(bytes: hash)),
                            timestamptz 'epoch' + 1800000000000000 * interval '1 microsecond')
                    """, logger: TestCluster.logger)
            }
            let report = try await Self.verify(app)
            #expect(report.breaks.count == 1 && report.reason?.contains("without the key") == true, "\(report.summary)")
        }
    }

    @Test("verify reports every break it finds, not only the first, each naming its run")
    func everyBreak() async throws {
        try await withTestApp { app in
            try await Self.sealedRounds(app, rounds: 5)
            let runs = try await app.database.asOwner { connection -> [(Int64, Int64)] in
                var runs: [(Int64, Int64)] = []
                for try await run in try await connection.query(
                    "SELECT entry_seq, last_seq FROM audit_seals ORDER BY position", logger: TestCluster.logger
                ).decode((Int64, Int64).self) { runs.append(run) }
                return runs
            }
            #expect(runs.count >= 5)
            let edited = [runs[1].1, runs[3].0]
            try await AuditTests.tamper(app, "UPDATE audit_entries SET actor = actor || '-x' WHERE seq = ANY(\(edited))")
            try await AuditTests.tamper(app, "DELETE FROM audit_entries WHERE seq = \(runs[4].0)")
            let report = try await Self.verify(app)
            #expect(report.breaks.count == 3, "\(report.summary)")
            #expect(report.breaks.count == 3 && report.breaks[0].covers(edited[0]) && report.breaks[1].covers(edited[1])
                    && report.breaks[2].seq == runs[4].0 && report.breaks[2].reason.contains("removed"), "\(report.summary)")
            #expect(report.summary.split(separator: "\n").count == 3)
        }
    }

    @Test("a sealer limited to one entry per seal (audit.sealRunEntries 1) writes a seal per entry, and the trail verifies alike")
    func oneEntryPerSeal() async throws {
        try await withTestApp(configure: { $0.auditSealRunEntries = 1 }) { app in
            try await Self.sealedRounds(app, rounds: 2)
            let (seals, entries) = try await app.database.asOwner { connection in
                (try await connection.scalar("SELECT count(*) FROM audit_seals", as: Int.self) ?? -1,
                 try await connection.scalar("SELECT count(*) FROM audit_entries", as: Int.self) ?? -2)
            }
            #expect(seals == entries)
            #expect(try await Self.verify(app).ok)
        }
    }

    @Test("the seal key is created 0400 on first use and read back, or taken from IFCD_AUDIT_SEAL_KEY; a malformed one is refused")
    func sealKeyFile() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ifcd-sealkey-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("keys/seal.key")
        #expect(throws: CheckpointError.self) { try AuditSealKey.load(file: file, environment: [:], create: false) }
        let created = try AuditSealKey.load(file: file, environment: [:], create: true)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o400)
        let again = try AuditSealKey.load(file: file, environment: [:], create: true)
        #expect(created.key == again.key)
        let raw = SymmetricKey(size: .bits256)
        let fromEnvironment = try AuditSealKey.load(
            file: file, environment: [AuditSealKey.environmentVariable: raw.withUnsafeBytes { Data($0) }.base64EncodedString()], create: true)
        #expect(fromEnvironment.key == raw && fromEnvironment.source == AuditSealKey.environmentVariable)
        #expect(throws: CheckpointError.self) {
            try AuditSealKey.load(file: file, environment: [AuditSealKey.environmentVariable: "c2hvcnQ="], create: true)
        }
    }

    /// As the owner, in one transaction under the sealers' lock (so the daemon's sealer does not
    /// seal it first): adds an entry, then lets `seal` write a seal for it after the head
    /// (given the head's position and hash, and the new entry).
    static func ownerSealsNewEntry(_ app: TestApp,
                                   _ seal: (PostgresConnection, Int64, [UInt8], StoredAuditEntry) async throws -> Void) async throws {
        try await app.database.asOwner { connection in
            try await connection.query("BEGIN", logger: TestCluster.logger)
            try await connection.query("SELECT pg_advisory_xact_lock(\(AuditSealer.lockKey))", logger: TestCluster.logger)
            try await AuditLog.append(AuditEntry(actor: "ghost", actorID: nil, roles: ["admin"], action: "user.create", requestID: nil),
                                      on: connection)
            let (position, previous, seq) = try await Self.headAndNewest(connection)
            let entry = try #require(try await Self.entry(seq, on: connection))
            try await seal(connection, position, previous, entry)
            try await connection.query("COMMIT", logger: TestCluster.logger)
        }
    }

    static func headAndNewest(_ connection: PostgresConnection) async throws -> (Int64, [UInt8], Int64) {
        for try await (position, hash, seq) in try await connection.query("""
            SELECT position, hash, (SELECT max(seq) FROM audit_entries) FROM audit_seals ORDER BY position DESC LIMIT 1
            """, logger: TestCluster.logger).decode((Int64, ByteBuffer, Int64).self) {
            return (position, Array(buffer: hash), seq)
        }
        throw TestFailure("no seal")
    }

    static func entry(_ seq: Int64, on connection: PostgresConnection) async throws -> StoredAuditEntry? {
        for try await row in try await connection.query(
            "SELECT \(unescaped: AuditVerifier.entryColumns) FROM audit_entries e WHERE e.seq = \(seq)", logger: TestCluster.logger) {
            return try AuditVerifier.decodeEntry(row)
        }
        return nil
    }
}
