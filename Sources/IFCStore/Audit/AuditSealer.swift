import Foundation
import IFCCore
import Logging
import PostgresNIO
import Synchronization

/// Chains committed audit entries, apart from requests: each round takes the unsealed entries
/// (in sequence order) and appends one keyed seal per run of them, in one transaction: an
/// HMAC-SHA-256 (under a key that is not in the database) over the seal's position, run, time and
/// previous hash and the run's entries. It runs under its own database role, the only one that
/// may write seals. One sealer at a time per database (a transaction advisory lock), so two
/// daemons on one database never fork the chain.
///
/// Which entries to look at: everything above the highest sealed sequence, plus "gaps" below it,
/// sequence numbers seen missing because their transaction had not committed yet (or rolled back).
/// A gap is rechecked each round for `gapGrace`, longer than any ifcd transaction may run
/// (the app role's idle-in-transaction and statement timeouts); a rolled-back one then stops
/// being looked for. A run records the numbers it skips (its holes); an entry that commits late is
/// sealed in a later run. At start the numbers below the top not held by any seal are gaps.
public final class AuditSealer: Sendable {
    static let lockKey: Int64 = 0x1FCD_0002
    /// A run is split where the next entry is further than this from the last: holes stay few.
    static let maxHoleSpan: Int64 = 64

    private struct State {
        var scanned = false  // the start scan for gaps is done
        var gaps: [Int64: Date] = [:]
        var wakeup: CheckedContinuation<Void, Never>?
        var pendingWake = false
        var stopped = false
    }

    private let database: Database
    private let key: AuditSealKey
    private let logger: Logger
    private let interval: Duration
    private let gapGrace: TimeInterval
    private let batchSize: Int
    /// At most this many entries per seal (the batch by default; 1 seals each entry alone, as
    /// before runs existed: the benchmark's A/B of the two).
    private let maxRunEntries: Int
    private let minimumSpacing: Duration
    /// The clock the gaps' grace is counted on (injected so that tests move it by hand).
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    /// `database` connects as the sealer's role (`ifcd_sealer`).
    public init(database: Database, key: AuditSealKey, logger: Logger, interval: Duration = .milliseconds(250),
                minimumSpacing: Duration = .milliseconds(50), gapGrace: TimeInterval = 600, batchSize: Int = 5000,
                maxRunEntries: Int? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        self.maxRunEntries = max(1, maxRunEntries ?? batchSize)
        self.minimumSpacing = minimumSpacing
        self.database = database
        self.key = key
        self.logger = logger
        self.interval = interval
        self.gapGrace = gapGrace
        self.batchSize = batchSize
    }

    /// Asks for a round soon (called after audit writes commit).
    public func wake() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let c = state.wakeup {
                state.wakeup = nil
                return c
            }
            state.pendingWake = true
            return nil
        }
        continuation?.resume()
    }

    /// Ends `run` after a last round.
    public func stop() {
        state.withLock { $0.stopped = true }
        wake()
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    /// Seals until stopped or cancelled: a round after each wake-up, and at least every `interval`.
    /// Rounds are at least `minimumSpacing` apart, so that under load one round seals the entries
    /// of many flushes instead of costing six queries per flush.
    public func run() async {
        let clock = ContinuousClock()
        while !Task.isCancelled && !isStopped {
            let started = clock.now
            do {
                while try await sealRound().above == batchSize {}
            } catch {
                logger.warning("audit sealing failed; will retry", metadata: ["error": "\(String(reflecting: error))"])
            }
            let elapsed = clock.now - started
            if elapsed < minimumSpacing && !isStopped {
                try? await Task.sleep(for: minimumSpacing - elapsed)
            }
            await waitForWakeOrInterval()
        }
        // A last round so that a clean shutdown leaves nothing unsealed.
        _ = try? await sealAll()
    }

    private func waitForWakeOrInterval() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if state.pendingWake {
                                state.pendingWake = false
                                return true
                            }
                            state.wakeup = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.wake()
                }
            }
            group.addTask { [interval] in
                try? await Task.sleep(for: interval)
            }
            await group.next()
            self.wake()  // release whichever waiter is left
            group.cancelAll()
            await group.waitForAll()
            self.state.withLock { $0.pendingWake = false }
        }
    }

    /// Seals everything committed now; returns the number of entries sealed.
    @discardableResult
    public func sealAll() async throws -> Int {
        var total = 0
        while true {
            // Waits for the lock: another sealer's round must not pass for "nothing to seal".
            let sealed = try await sealRound(waitForLock: true)
            total += sealed.total
            if sealed.above < batchSize { return total }
        }
    }

    /// One round: returns how many entries it sealed, and of those how many above the sealed
    /// top (a full batch of them means more are waiting); none when another sealer holds the
    /// lock and `waitForLock` is false.
    func sealRound(waitForLock: Bool = false) async throws -> (above: Int, total: Int) {
        let (scanned, known) = state.withLock { ($0.scanned, Array($0.gaps.keys)) }
        let key = self.key.key
        let batchSize = self.batchSize, maxRunEntries = self.maxRunEntries
        let logger = self.logger
        let result = try await database.transaction { connection -> (sealedAbove: Int, sealed: [Int64], seen: [Int64], startGaps: [Int64])? in
            // The first round after a start looks below the top; no request timeout applies.
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            if waitForLock {
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            } else {
                let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.lockKey))", logger: logger)
                var gotLock = false
                for try await flag in locked.decode(Bool.self) { gotLock = flag }
                guard gotLock else { return nil }
            }
            // The chain's head, how far seals reach (another sealer may have moved both), and
            // the time this round's seals carry.
            var previous = AuditChain.genesis
            var position: Int64 = 0, top: Int64 = 0, now: Int64 = 0
            for try await (p, h, t, n) in try await connection.query("""
                SELECT coalesce((SELECT position FROM audit_seals ORDER BY position DESC LIMIT 1), 0),
                       (SELECT hash FROM audit_seals ORDER BY position DESC LIMIT 1),
                       coalesce((SELECT max(coalesce(last_seq, entry_seq)) FROM audit_seals), 0),
                       (extract(epoch FROM clock_timestamp()) * 1000000)::int8
                """, logger: logger).decode((Int64, ByteBuffer?, Int64, Int64).self) {
                position = p
                if let h { previous = Array(buffer: h) }
                top = t
                now = n
            }
            // After a start, numbers not far below the top that no seal holds may belong to
            // transactions still running: watch them like any other gap.
            var startGaps: [Int64] = []
            if !scanned && top > 0 {
                let low = max(1, top - 100_000)
                for try await seq in try await connection.query("""
                    SELECT g FROM generate_series(\(low), \(top)) g
                    EXCEPT
                    SELECT x FROM audit_seals s, generate_series(s.entry_seq, coalesce(s.last_seq, s.entry_seq)) x
                    WHERE coalesce(s.last_seq, s.entry_seq) >= \(low) AND NOT (x = ANY (coalesce(s.holes, '{}')))
                    """, logger: logger).decode(Int64.self) {
                    startGaps.append(seq)
                }
            }
            let gaps = Array(Set(known + startGaps).filter { $0 <= top })
            // Two arms, each served by an index: new entries above the top, and gaps no seal holds.
            let rows = try await connection.query("""
                SELECT \(unescaped: AuditVerifier.entryColumns) FROM (
                    (SELECT * FROM audit_entries a WHERE a.seq > \(top) ORDER BY a.seq LIMIT \(batchSize))
                    UNION ALL
                    (SELECT * FROM audit_entries a WHERE a.seq = ANY(\(gaps)::int8[]) AND audit_sealed_by(a.seq) IS NULL)
                ) e
                ORDER BY e.seq
                """, logger: logger)
            var entries: [StoredAuditEntry] = []
            for try await row in rows { entries.append(try AuditVerifier.decodeEntry(row)) }
            let sealedAbove = entries.count(where: { $0.seq > top })
            // Runs: split where the next entry is far from the last, so that holes stay few.
            var runs: [ArraySlice<StoredAuditEntry>] = []
            var runStart = 0
            for index in entries.indices.dropFirst()
            where entries[index].seq - entries[index - 1].seq > Self.maxHoleSpan || index - runStart >= maxRunEntries {
                runs.append(entries[runStart..<index])
                runStart = index
            }
            if !entries.isEmpty { runs.append(entries[runStart...]) }
            var positions: [Int64] = [], firsts: [Int64] = [], lasts: [Int64] = [], counts: [Int64] = []
            var holesText: [String] = [], prevs: [ByteBuffer] = [], hashes: [ByteBuffer] = []
            for run in runs {
                let first = run.first!.seq, last = run.last!.seq
                var holes: [Int64] = []
                var expected = first
                for entry in run {
                    while expected < entry.seq { holes.append(expected); expected += 1 }
                    expected = entry.seq + 1
                }
                position += 1
                let header = AuditChain.Run(position: position, firstSeq: first, lastSeq: last, holes: holes,
                                            count: run.count, sealedAtMicros: now, previous: previous)
                let hash = AuditChain.keyedHash(key: key, run: header, entries: Array(run))
                positions.append(position)
                firsts.append(first)
                lasts.append(last)
                counts.append(Int64(run.count))
                holesText.append("{" + holes.map(String.init).joined(separator: ",") + "}")
                prevs.append(ByteBuffer(bytes: previous))
                hashes.append(ByteBuffer(bytes: hash))
                previous = hash
            }
            if !runs.isEmpty {
                try await connection.query("""
                    INSERT INTO audit_seals (position, entry_seq, last_seq, entry_count, holes, keyed, prev_hash, hash, sealed_at)
                    SELECT p, f, l, c::int4, nullif(h::int8[], '{}'), true, pr, hs, timestamptz 'epoch' + \(now) * interval '1 microsecond'
                    FROM unnest(\(positions)::int8[], \(firsts)::int8[], \(lasts)::int8[], \(counts)::int8[], \(holesText)::text[],
                                \(prevs)::bytea[], \(hashes)::bytea[]) AS u(p, f, l, c, h, pr, hs)
                    """, logger: logger)
            }
            // Numbers seen missing between the top and the last entry sealed above it.
            let sealedAboveSeqs = entries.lazy.map(\.seq).filter { $0 > top }
            var seen: [Int64] = []
            if let highest = sealedAboveSeqs.max(), highest - top < 100_000 {
                let present = Set(sealedAboveSeqs)
                seen = (top + 1 ..< highest).filter { !present.contains($0) }
            }
            return (sealedAbove, entries.map(\.seq), seen, startGaps)
        }
        guard let result else { return (0, 0) }
        let now = self.now()
        state.withLock { state in
            state.scanned = true
            for seq in result.startGaps + result.seen { state.gaps[seq] = state.gaps[seq] ?? now }
            for seq in result.sealed { state.gaps.removeValue(forKey: seq) }
            state.gaps = state.gaps.filter { now.timeIntervalSince($0.value) < gapGrace }
        }
        return (result.sealedAbove, result.sealed.count)
    }
}
