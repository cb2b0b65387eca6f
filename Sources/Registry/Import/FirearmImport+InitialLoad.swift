import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The first national load into an empty or near-empty registry (`ifcd import firearms
/// --initial`): one transaction drops the firearms table's non-unique indexes, moves the file in
/// batch by batch as the incremental import does (COPY into a staging table, one statement per
/// batch; the next batch read while one is written), and builds those indexes again at the end by
/// sorting, which costs a fraction of maintaining them row by row. Each firearm still gets its
/// first version and its own audit entry, and the report is the incremental import's.
///
/// The load is all or nothing: a failure leaves the registry as it was. It runs as the owner role
/// (dropping and building indexes needs it) and holds the firearms table while it runs: reads and
/// writes of firearms wait for it, which is why it is refused on a registry already in use.
extension FirearmImport {
    /// A registry holding more firearms than this takes the incremental import: rebuilding its
    /// indexes would cost more than maintaining them, and the lock would stop a live service.
    public static let initialLoadCeiling = 10_000

    public func runInitialLoad<Chunks: AsyncSequence>(_ chunks: Chunks, owner: ConnectionSettings, ceiling: Int = initialLoadCeiling,
                                                      progress: @Sendable (ImportReport) -> Void = { _ in }) async throws
        -> ImportReport where Chunks.Element == [UInt8]
    {
        guard !dryRun else {
            throw Problem.invalid("initial", "an initial load cannot be a dry run; validate with the incremental import's dry run")
        }
        return try await owner.withConnection(logger: logger) { connection in
            try await connection.query("BEGIN", logger: FirearmStore.logger)
            do {
                // Writers wait from here on (readers until the indexes are dropped), so the count
                // below stays true for the whole load.
                try await connection.query("LOCK TABLE firearms IN SHARE ROW EXCLUSIVE MODE", logger: FirearmStore.logger)
                let existing = try await connection.query("SELECT count(*) FROM (SELECT 1 FROM firearms LIMIT \(ceiling + 1)) f",
                                                          logger: FirearmStore.logger)
                var registered = 0
                for try await count in existing.decode(Int.self) { registered = count }
                guard registered <= ceiling else {
                    throw Problem.conflict("""
                        the registry holds more than \(ceiling) firearms: an initial load is for an empty or \
                        near-empty registry; import without --initial
                        """, slug: "registry-in-use")
                }
                let indexes = try await dropIndexes(on: connection)
                try await connection.query(Self.createStaging, logger: FirearmStore.logger)
                let report = try await read(chunks, into: .initialLoad(connection), progress: progress)
                try await rebuild(indexes, on: connection)
                try await recordSummary(report, on: connection)
                try await connection.query("COMMIT", logger: FirearmStore.logger)
                progress(report)
                return report
            } catch {
                if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: FirearmStore.logger) }
                throw error
            }
        }
    }

    /// One batch of an initial load, on its connection: staged, moved in (with versions and audit
    /// entries, as in the incremental import) with the batch's own entry, and the staging table
    /// emptied for the next. Returns how many firearms were inserted.
    func writeInitial(_ batch: [Row], importID: UUID, on connection: PostgresConnection) async throws -> Int {
        try await Self.stage(batch, create: false, on: connection)
        let count = try await insertStaged(importID: importID, on: connection)
        try await AuditLog.append(AuditEntry(
            principal: principal, action: "firearm.import.batch", recordType: "import", recordID: importID.uuidString,
            requestID: requestID,
            detail: "{\"lines\":[\(batch.first?.line ?? 0),\(batch.last?.line ?? 0)],\"rows\":\(batch.count),\"imported\":\(count),\"initial\":true}"),
            on: connection)
        try await connection.query("TRUNCATE import_staging", logger: FirearmStore.logger)
        return count
    }

    /// Drops the firearms table's non-unique indexes (the unique ones stay: they decide what is a
    /// duplicate) and returns their definitions, for `rebuild`.
    func dropIndexes(on connection: PostgresConnection) async throws -> [(name: String, definition: String)] {
        var indexes: [(name: String, definition: String)] = []
        let rows = try await connection.query("""
            SELECT c.relname::text, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
            WHERE x.indrelid = 'firearms'::regclass AND NOT x.indisunique ORDER BY c.relname
            """, logger: FirearmStore.logger)
        for try await (name, definition) in rows.decode((String, String).self) { indexes.append((name, definition)) }
        for index in indexes {
            // The name comes from the catalog, quoted as an identifier.
            try await connection.query("DROP INDEX \(unescaped: Self.quoted(index.name))", logger: FirearmStore.logger)
        }
        return indexes
    }

    /// Builds the dropped indexes again from their own definitions, by sorting the loaded table,
    /// and refreshes the planner's statistics.
    func rebuild(_ indexes: [(name: String, definition: String)], on connection: PostgresConnection) async throws {
        try await connection.query("SET LOCAL maintenance_work_mem = '256MB'", logger: FirearmStore.logger)
        for index in indexes {
            // pg_get_indexdef's own text: the catalog's definition, not input.
            try await connection.query(PostgresQuery(unsafeSQL: index.definition), logger: FirearmStore.logger)
        }
        try await connection.query("ANALYZE firearms", logger: FirearmStore.logger)
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
