import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// The first national load into an empty or near-empty registry (`ifcd import firearms
/// --initial`): every valid row is staged with COPY in one transaction, then moved into the
/// registry by one statement with the firearms table's non-unique indexes dropped, and those
/// indexes built again afterwards by sorting, which costs a fraction of maintaining them row by
/// row. Each firearm still gets its first version and its own audit entry, and the report is the
/// incremental import's.
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
                try await connection.query(Self.createStaging, logger: FirearmStore.logger)
                var report = try await read(chunks, into: .initialLoad(connection), progress: progress)
                let (lines, inserted) = try await moveStagedRows(importID: report.importID, on: connection)
                report.imported = inserted
                report.duplicates = report.rows - report.invalid - inserted
                try await AuditLog.append(AuditEntry(
                    principal: principal, action: "firearm.import.batch", recordType: "import", recordID: report.importID.uuidString,
                    requestID: requestID,
                    detail: "{\"lines\":[\(lines.first),\(lines.last)],\"rows\":\(report.rows - report.invalid),\"imported\":\(inserted),\"initial\":true}"),
                    on: connection)
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

    /// Drops the firearms table's non-unique indexes (the unique ones stay: they decide what is a
    /// duplicate), moves the staged rows in, builds the dropped indexes again from their own
    /// definitions, and refreshes the planner's statistics. Returns the staged line range and
    /// how many firearms were inserted.
    func moveStagedRows(importID: UUID, on connection: PostgresConnection) async throws -> (lines: (first: Int, last: Int), inserted: Int) {
        var lines = (first: 0, last: 0)
        let range = try await connection.query("SELECT coalesce(min(line), 0), coalesce(max(line), 0) FROM import_staging",
                                               logger: FirearmStore.logger)
        for try await (first, last) in range.decode((Int, Int).self) { lines = (first, last) }
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
        try await connection.query("SET LOCAL maintenance_work_mem = '256MB'", logger: FirearmStore.logger)
        let inserted = try await insertStaged(importID: importID, on: connection)
        for index in indexes {
            // pg_get_indexdef's own text: the catalog's definition, not input.
            try await connection.query(PostgresQuery(unsafeSQL: index.definition), logger: FirearmStore.logger)
        }
        try await connection.query("ANALYZE firearms", logger: FirearmStore.logger)
        return (lines, inserted)
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
