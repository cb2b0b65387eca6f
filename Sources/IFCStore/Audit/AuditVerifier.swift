import Foundation
import IFCCore
import Logging
import PostgresNIO

/// Walks the seals in order and recomputes the chain: an edited, removed or reordered entry, a
/// removed, altered or unkeyed seal, or an entry left unsealed too long, is reported with its
/// sequence. Every break is reported, not only the first.
public struct AuditVerifier: Sendable {
    /// The entry's columns in the order `decodeEntry` reads them (the time read as exact
    /// microseconds by `PostgresMicros`).
    static let entryColumns = "e.seq, e.at, e.actor, e.actor_id, e.roles, e.action, e.record_type, e.record_id, e.request_id, e.outcome, e.detail::text"


    /// How many breaks are listed at most; more are counted in the last line.
    public static let maxBreaksListed = 1000

    public let maxUnsealedAge: TimeInterval
    let logger: Logger

    /// Milliseconds each statement of a verification may take; 0 (the CLI's) for no limit.
    public let statementTimeoutMS: Int

    /// The seals' key: a keyed seal is checked against it.
    let key: AuditSealKey

    public init(key: AuditSealKey, maxUnsealedAge: TimeInterval = 900, statementTimeoutMS: Int = 0, logger: Logger) {
        self.key = key
        self.maxUnsealedAge = maxUnsealedAge
        self.statementTimeoutMS = max(0, statementTimeoutMS)
        self.logger = logger
    }

    /// Walks the whole trail in one read-only snapshot (seals and entries seen at one instant),
    /// with no statement timeout: on a large trail the walk takes longer than any request may.
    public func verify(on connection: PostgresConnection, now: Date = Date()) async throws -> Report {
        try await inReadOnlySnapshot(on: connection) { try await walk(on: connection, now: now) }
    }

    /// The same walk split across `workers` connections that share one snapshot (exported by a
    /// leading transaction): each walks a range of seal positions, checks that its range starts
    /// where the previous one ends, and the first break by position is reported. On a large
    /// trail this uses every core for the hashing and row decoding.
    public func verify(database: Database, workers: Int = 2, now: Date = Date()) async throws -> Report {
        // The leader holds one connection; the walkers need their own. With a pool of one, the
        // leader walks alone.
        let walkers = min(workers, database.maximumConnections - 1)
        guard walkers >= 1 else {
            return try await database.withConnection { try await self.verify(on: $0, now: now) }
        }
        let logger = self.logger
        return try await database.withConnection { leader in
            try await inReadOnlySnapshot(on: leader) {
                var snapshot = "", top: Int64 = 0
                for try await (id, max) in try await leader.query(
                    "SELECT pg_export_snapshot(), coalesce((SELECT max(position) FROM audit_seals), 0)", logger: logger
                ).decode((String, Int64).self) {
                    snapshot = id
                    top = max
                }
                // SET TRANSACTION SNAPSHOT takes no bind parameter; the id comes from the server
                // and is checked to be what pg_export_snapshot() makes (hex and dashes) anyway.
                guard !snapshot.isEmpty, snapshot.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
                    throw StoreError.poolRefused
                }
                let exported = snapshot
                let count = Int64(walkers)
                let size = max(1, (top + count - 1) / count)
                let ranges = stride(from: Int64(1), through: max(top, 1), by: Int(size)).map { ($0, min($0 + size - 1, top)) }
                let parts = try await withThrowingTaskGroup(of: (Int64, Walk).self) { group in
                    for (low, high) in ranges where low <= high {
                        group.addTask {
                            let part = try await database.withConnection { connection in
                                try await self.inReadOnlySnapshot(on: connection, importing: exported) {
                                    try await self.walkSeals(on: connection, from: low, to: high)
                                }
                            }
                            return (low, part)
                        }
                    }
                    var parts: [(Int64, Walk)] = []
                    for try await part in group { parts.append(part) }
                    return parts.sorted { $0.0 < $1.0 }.map(\.1)
                }
                var report = Report(sealed: 0, unsealed: 0)
                var walk = Walk()
                for part in parts { walk.append(part) }
                report.sealed = walk.entries
                report.breaks = walk.breaks
                try await checkUnsealed(on: leader, now: now, walked: walk, into: &report)
                return report
            }
        }
    }

    /// Runs `body` in a read-only REPEATABLE READ transaction (the exported `snapshot` when
    /// given), with no statement timeout and the index walk preferred; rolled back if it throws.
    private func inReadOnlySnapshot<T>(on connection: PostgresConnection, importing snapshot: String? = nil,
                                       _ body: () async throws -> T) async throws -> T {
        try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        do {
            if let snapshot {
                try await connection.query("SET TRANSACTION SNAPSHOT '\(unescaped: snapshot)'", logger: logger)
            }
            // An integer from code, not input.
            try await connection.query("SET LOCAL statement_timeout = \(unescaped: String(statementTimeoutMS))", logger: logger)
            try await Self.preferIndexWalk(on: connection, logger: logger)
            let result = try await body()
            try await connection.query("COMMIT", logger: logger)
            return result
        } catch {
            if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
            throw error
        }
    }

    /// Seals in position order, each entry fetched by its key: cheaper here than the planner's
    /// choice of hashing the whole entries table and sorting (measured 4.6 s against 6.1 s for
    /// 2.7M rows), and it leaves the other core to the hashing.
    static func preferIndexWalk(on connection: PostgresConnection, logger: Logger) async throws {
        for setting in ["SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off",
                        "SET LOCAL max_parallel_workers_per_gather = 0", "SET LOCAL jit = off"] {
            try await connection.query(PostgresQuery(unsafeSQL: setting), logger: logger)
        }
    }

    private func walk(on connection: PostgresConnection, now: Date) async throws -> Report {
        let walk = try await walkSeals(on: connection, from: 1, to: nil)
        var report = Report(sealed: walk.entries, unsealed: 0, breaks: walk.breaks)
        try await checkUnsealed(on: connection, now: now, walked: walk, into: &report)
        return report
    }

    /// What a walk of a range of seals found.
    struct Walk: Sendable {
        var entries = 0
        var breaks: [Break] = []
        var omitted = 0
        /// The first keyed seal's position, and the last unkeyed one's (with its entry): an
        /// unkeyed seal after a keyed one is a seal written without the key.
        var firstKeyed: Int64?
        var lastUnkeyed: (position: Int64, seq: Int64)?
        /// The highest sequence a seal holds.
        var reach: Int64 = 0

        mutating func add(_ item: Break) {
            if breaks.count < AuditVerifier.maxBreaksListed { breaks.append(item) } else { omitted += 1 }
        }

        /// Joins the walk of the next range.
        mutating func append(_ next: Walk) {
            if let first = firstKeyed, let unkeyed = next.lastUnkeyed, unkeyed.position > first, next.firstKeyed.map({ $0 > unkeyed.position }) ?? true {
                add(Break(position: unkeyed.position, seq: unkeyed.seq,
                          reason: "seal \(unkeyed.position) is not keyed, after keyed sealing began at position \(first): it was written without the key"))
            }
            entries += next.entries
            for item in next.breaks { add(item) }
            omitted += next.omitted
            firstKeyed = firstKeyed ?? next.firstKeyed
            if let unkeyed = next.lastUnkeyed { lastUnkeyed = unkeyed }
            reach = max(reach, next.reach)
        }

        var allBreaks: [Break] {
            omitted == 0 ? breaks : breaks + [Break(position: nil, seq: nil, reason: "and \(omitted) more breaks")]
        }
    }

    /// The seal being checked while its entries stream in.
    private struct OpenSeal {
        var run: AuditChain.Run
        var keyed: Bool
        var hash: [UInt8]
        var entries: [StoredAuditEntry] = []
    }

    /// Walks the seals at positions `from...to` (to the end when `to` is nil), each with the
    /// entries its run holds, and goes on past every break: an edited entry breaks its own seal
    /// only, since each seal is checked against the previous seal's stored hash. A range that
    /// does not start at 1 takes its starting hash from the seal before it, which the walk of
    /// the range before checks.
    private func walkSeals(on connection: PostgresConnection, from low: Int64, to high: Int64?) async throws -> Walk {
        var walk = Walk()
        var previous = AuditChain.genesis
        var expectedPosition = low
        if low > 1 {
            var found = false
            for try await hash in try await connection.query(
                "SELECT hash FROM audit_seals WHERE position = \(low - 1)", logger: logger).decode(ByteBuffer.self) {
                previous = Array(buffer: hash)
                found = true
            }
            if !found { walk.add(Break(position: low - 1, seq: nil, reason: "seal position \(low - 1) is missing")) }
        }
        let rows = try await connection.query("""
            SELECT s.position, s.entry_seq, coalesce(s.last_seq, s.entry_seq), s.entry_count, coalesce(s.holes, '{}'), s.keyed,
                   s.sealed_at, s.prev_hash, s.hash, \(unescaped: Self.entryColumns)
            FROM audit_seals s
            LEFT JOIN LATERAL (
                SELECT * FROM audit_entries e
                WHERE e.seq >= s.entry_seq AND e.seq <= coalesce(s.last_seq, s.entry_seq)
                  AND NOT (e.seq = ANY (coalesce(s.holes, '{}')))
            ) e ON true
            WHERE s.position >= \(low) AND s.position <= \(high ?? Int64.max)
            ORDER BY s.position
            """, logger: logger)
        var open: OpenSeal?
        let key = self.key.key

        func close(_ seal: OpenSeal) {
            let run = seal.run
            // Sorted by the seal only (a sort of the whole join by entry would spill to disk):
            // its entries are put in order here, which is nearly always the order they came in.
            var entries = seal.entries
            if !entries.isEmpty && !zip(entries, entries.dropFirst()).allSatisfy({ $0.seq < $1.seq }) {
                entries.sort { $0.seq < $1.seq }
            }
            walk.reach = max(walk.reach, run.lastSeq)
            walk.entries += entries.count
            let expected = run.sequences
            if entries.count != expected.count || !zip(entries, expected).allSatisfy({ $0.seq == $1 }) {
                let found = Set(entries.map(\.seq))
                let missing = expected.filter { !found.contains($0) }
                for seq in missing.prefix(20) {
                    walk.add(Break(position: run.position, seq: seq, reason: "the entry sealed at position \(run.position) has been removed"))
                }
                if missing.count > 20 {
                    walk.add(Break(position: run.position, seq: nil, reason: "and \(missing.count - 20) more entries of seal \(run.position) removed"))
                }
                if missing.isEmpty {
                    walk.add(Break(position: run.position, seq: run.firstSeq, reason: "seal \(run.position) does not hold the entries it names"))
                }
                return
            }
            let computed = seal.keyed ? AuditChain.keyedHash(key: key, run: run, entries: entries)
                                      : AuditChain.hash(previous: run.previous, entry: entries[0])
            if computed != seal.hash {
                let what = seal.keyed ? "its entries' content does not match their seal (position \(run.position)): edited or moved, or the seal was written without the key"
                                      : "the entry's content does not match its seal (position \(run.position)): it was edited or moved"
                walk.add(Break(position: run.position, seq: run.firstSeq, lastSeq: run.lastSeq, reason: what))
            }
        }

        for try await row in rows {
            let columns = row.makeRandomAccess()
            let position = try columns[0].decode(Int64.self)
            if open?.run.position != position {
                if let seal = open { close(seal) }
                let first = try columns[1].decode(Int64.self)
                let last = try columns[2].decode(Int64.self)
                let count = Int(try columns[3].decode(Int32.self))
                let holes = try columns[4].decode([Int64].self)
                let keyed = try columns[5].decode(Bool.self)
                let sealedAt = try columns[6].decode(PostgresMicros.self).value
                let storedPrevious = Array(buffer: try columns[7].decode(ByteBuffer.self))
                let hash = Array(buffer: try columns[8].decode(ByteBuffer.self))
                if position != expectedPosition {
                    walk.add(Break(position: expectedPosition, seq: first,
                                   reason: "seal position \(expectedPosition) is missing (next seal found is \(position))"))
                }
                if storedPrevious != previous {
                    walk.add(Break(position: position, seq: first, reason: "seal \(position) does not continue the chain (previous hash differs)"))
                }
                if keyed {
                    walk.firstKeyed = walk.firstKeyed ?? position
                } else {
                    if let keyedAt = walk.firstKeyed {
                        walk.add(Break(position: position, seq: first,
                                       reason: "seal \(position) is not keyed, after keyed sealing began at position \(keyedAt): it was written without the key"))
                    }
                    walk.lastUnkeyed = (position, first)
                }
                let run = AuditChain.Run(position: position, firstSeq: first, lastSeq: last, holes: holes, count: count,
                                         sealedAtMicros: sealedAt, previous: storedPrevious)
                open = OpenSeal(run: run, keyed: keyed, hash: hash)
                previous = hash
                expectedPosition = position + 1
            }
            guard try columns[9].decode(Int64?.self) != nil else { continue }
            open!.entries.append(try Self.decodeEntry(columns, offset: 9))
        }
        if let seal = open { close(seal) }
        if let high, expectedPosition <= high {
            walk.add(Break(position: expectedPosition, seq: nil, reason: "seal position \(expectedPosition) is missing"))
        }
        return walk
    }

}
