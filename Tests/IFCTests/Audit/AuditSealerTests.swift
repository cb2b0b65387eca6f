import Foundation
import IFCCore
@testable import IFCStore
import PostgresNIO
import Testing

/// The sealer and the holes in the sequence: a number taken by a transaction that has not
/// committed yet (it may commit late, or roll back). The sealer chains in commit order, not in
/// sequence order: it seals the entries after an open hole without waiting for it, remembers the
/// hole for `gapGrace`, and seals the late entry at the next position when it commits. A rolled
/// back number never appears and is forgotten after the grace. Each test runs the real sealer
/// loop (short interval, short grace) on its own database and waits on conditions, never on time
/// alone.
@Suite("Audit sealer: gaps and late commits")
struct AuditSealerTests {
    /// A database with the sealer's loop running beside the test, and a connection that holds a
    /// transaction open.
    struct Bench: Sendable {
        let database: TestDatabase
        let store: Database
        let sealer: AuditSealer
        let sealerStore: Database

        /// Commits `count` entries, each in its own transaction as a write would, and wakes the sealer.
        @discardableResult
        func commit(_ count: Int, action: String = "test.entry") async throws -> [Int64] {
            var seqs: [Int64] = []
            for index in 0..<count {
                let seq = try await store.transaction { connection -> Int64 in
                    try await AuditLog.append(AuditEntry(actor: "writer\(index)", actorID: nil, roles: ["clerk"], action: action,
                                                         requestID: nil), on: connection)
                    return try await connection.scalar("SELECT max(seq) FROM audit_entries", as: Int64.self) ?? -1
                }
                seqs.append(seq)
            }
            sealer.wake()
            return seqs
        }

        /// Entry sequences in seal (chain) order.
        func sealedInChainOrder() async throws -> [Int64] {
            try await database.asOwner { connection in
                var seqs: [Int64] = []
                for try await seq in try await connection.query("""
                    SELECT x FROM audit_seals s, generate_series(s.entry_seq, coalesce(s.last_seq, s.entry_seq)) x
                    WHERE NOT x = ANY (coalesce(s.holes, '{}')) ORDER BY s.position, x
                    """, logger: TestCluster.logger).decode(Int64.self) { seqs.append(seq) }
                return seqs
            }
        }

        /// Polls until every one of `seqs` has a seal (at most ~10 s); true when they all do.
        func waitUntilSealed(_ seqs: [Int64]) async throws -> Bool {
            // Bounded (30 s), long enough for a loaded CI machine.
            for _ in 0..<1200 {
                if Set(try await sealedInChainOrder()).isSuperset(of: seqs) { return true }
                try await Task.sleep(for: .milliseconds(25))
            }
            return false
        }

        func verify(now: Date = Date()) async throws -> AuditVerifier.Report {
            try await database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, maxUnsealedAge: 900, logger: TestCluster.logger).verify(on: $0, now: now) }
        }

        func entryCount() async throws -> Int {
            try await database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries", as: Int.self) } ?? -1
        }

        /// An app connection with an open transaction that has inserted one entry (taken a
        /// sequence number) and not committed: returns the connection and that number.
        func holdOpenEntry() async throws -> (PostgresConnection, Int64) {
            let holder = try await database.appSettings.connect(logger: TestCluster.logger)
            try await holder.query("BEGIN", logger: TestCluster.logger)
            try await AuditLog.append(AuditEntry(actor: "slow-writer", actorID: nil, roles: ["clerk"], action: "test.slow",
                                                 requestID: nil), on: holder)
            let seq = try await holder.scalar("SELECT max(seq) FROM audit_entries", as: Int64.self)
            return (holder, try #require(seq))
        }
    }

    /// Runs `body` with the sealer loop running (`gapGrace` seconds of grace), then stops it.
    static func withSealer(gapGrace: TimeInterval, clock: TestClock = TestClock(), _ body: @Sendable (Bench) async throws -> Void) async throws {
        try await withTestDatabase { database in
            let client = PostgresClient(configuration: try database.appSettings.clientConfiguration(maximumConnections: 3),
                                        backgroundLogger: TestCluster.logger)
            let store = Database(client: client, maximumConnections: 3, logger: TestCluster.logger)
            let sealerStore = try database.sealerStore()
            let sealer = AuditSealer(database: sealerStore, key: TestCluster.sealKey, logger: TestCluster.logger, interval: .milliseconds(50),
                                     minimumSpacing: .milliseconds(5), gapGrace: gapGrace, now: { clock.now })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask { await sealerStore.client.run() }
                defer { group.cancelAll() }
                let loop = Task { await sealer.run() }
                let result: Result<Void, any Error>
                do {
                    try await body(Bench(database: database, store: store, sealer: sealer, sealerStore: sealerStore))
                    result = .success(())
                } catch {
                    result = .failure(error)
                }
                sealer.stop()
                await loop.value
                try result.get()
            }
        }
    }

    /// Up to and including the open gap: entries before it sealed, the hole taken, entries after it committed and sealed.
    static func openGap(_ bench: Bench) async throws -> (holder: PostgresConnection, gap: Int64, after: [Int64]) {
        // A first run of entries sets the sealer's high-water mark, so later holes count as gaps.
        let before = try await bench.commit(3)
        #expect(try await bench.waitUntilSealed(before), "the first entries were never sealed")
        let (holder, gap) = try await bench.holdOpenEntry()
        do {
            let after = try await bench.commit(3)
            #expect(after.allSatisfy { $0 > gap })
            #expect(try await bench.waitUntilSealed(after), "entries committed after the open one were never sealed")
            return (holder, gap, after)
        } catch {
            // A connection must be closed before it goes (PostgresNIO asserts it).
            try? await holder.close()
            throw error
        }
    }

    @Test("an entry whose transaction commits late is sealed after the entries that overtook it, and verify passes")
    func lateCommitIsSealed() async throws {
        try await Self.withSealer(gapGrace: 600) { bench in
            let (holder, gap, after) = try await Self.openGap(bench)
            // While it is open: the entries after it are chained without waiting for it, and the
            // hole itself has no seal. More rounds pass (a later entry is sealed) and still none.
            let later = try await bench.commit(1)
            #expect(try await bench.waitUntilSealed(later))
            var chain = try await bench.sealedInChainOrder()
            #expect(!chain.contains(gap), "a seal for an entry that is not committed")
            #expect(Array(chain.suffix(4)) == after + later, "the chain runs in commit order: \(chain)")
            // The open entry is invisible to verify; what is committed verifies.
            var report = try await bench.verify()
            #expect(report.ok && report.unsealed == 0 && report.sealed == chain.count, "\(report.summary)")

            try await holder.query("COMMIT", logger: TestCluster.logger)
            try await holder.close()
            bench.sealer.wake()
            #expect(try await bench.waitUntilSealed([gap]), "the late commit was never sealed")
            chain = try await bench.sealedInChainOrder()
            #expect(chain.last == gap, "sealed at the next position after what overtook it: \(chain)")
            #expect(Set(chain).count == chain.count)
            report = try await bench.verify()
            #expect(report.ok && report.unsealed == 0, "\(report.summary)")
            let entries = try await bench.entryCount()
            #expect(report.sealed == entries)
        }
    }

    @Test("a number taken by a transaction that rolls back never holds the chain up; verify passes without it")
    func rolledBackGap() async throws {
        // The sealer's clock is moved past the grace by hand, so that the hole is forgotten during the test.
        let grace: TimeInterval = 600
        let clock = TestClock()
        try await Self.withSealer(gapGrace: grace, clock: clock) { bench in
            let (holder, gap, _) = try await Self.openGap(bench)
            try await holder.query("ROLLBACK", logger: TestCluster.logger)
            // Entries keep being sealed, before and after the grace has run out.
            let soon = try await bench.commit(2)
            #expect(try await bench.waitUntilSealed(soon))
            clock.advance(by: grace * 2)
            let afterGrace = try await bench.commit(2)
            #expect(try await bench.waitUntilSealed(afterGrace))
            try await holder.close()
            let chain = try await bench.sealedInChainOrder()
            #expect(!chain.contains(gap))
            let stored = try await bench.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries WHERE seq = \(gap)", as: Int.self) }
            #expect(stored == 0)
            let report = try await bench.verify()
            #expect(report.ok && report.unsealed == 0, "\(report.summary)")
            let entries = try await bench.entryCount()
            #expect(report.sealed == entries)
            #expect(report.sealed == chain.count)
        }
    }

    @Test("an entry committed after the grace is left to the next start's full scan, and verify flags it until then")
    func commitAfterTheGrace() async throws {
        let grace: TimeInterval = 600
        let clock = TestClock()
        try await Self.withSealer(gapGrace: grace, clock: clock) { bench in
            let (holder, gap, _) = try await Self.openGap(bench)
            // The sealer has seen the hole (openGap waits for a round above it); its grace runs out.
            clock.advance(by: grace * 2)
            // A round after the grace has run out forgets the hole ...
            #expect(try await bench.waitUntilSealed(try await bench.commit(1)))
            try await holder.query("COMMIT", logger: TestCluster.logger)
            try await holder.close()
            // ... so a round after the commit does not look for it.
            #expect(try await bench.waitUntilSealed(try await bench.commit(1)))
            #expect(!(try await bench.sealedInChainOrder()).contains(gap))
            #expect(try await bench.verify().ok, "not yet older than the verifier's limit")
            let anHourLater = try await bench.verify(now: Date().addingTimeInterval(3600))
            #expect(!anHourLater.ok && anHourLater.brokenAt == gap && anHourLater.unsealed == 1, "\(anHourLater.summary)")
            // A restarted sealer scans the whole trail once and seals it.
            let restarted = AuditSealer(database: bench.sealerStore, key: TestCluster.sealKey, logger: TestCluster.logger)
            #expect(try await restarted.sealAll() == 1)
            #expect((try await bench.sealedInChainOrder()).last == gap)
            let report = try await bench.verify(now: Date().addingTimeInterval(3600))
            let entries = try await bench.entryCount()
            #expect(report.ok && report.unsealed == 0 && report.sealed == entries, "\(report.summary)")
        }
    }
}
