import Foundation
import IFCCore
import Logging
import PostgresNIO

/// Applies `Schema/` migrations: in order, each in one transaction with its SHA-256 recorded, under
/// an advisory lock so that two daemons starting together cannot race. A file that changed after
/// it was applied stops start-up.
public struct Migrator: Sendable {
    /// Arbitrary, fixed: the key of the session advisory lock that serialises migrators.
    static let lockKey: Int64 = 0x1FCD_0001
    public let migrations: [Migration]
    public let logger: Logger

    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    public struct Status: Sendable, Equatable {
        public var applied: Int
        public var pending: [String]
    }

    /// Migrates the database behind `connection`, which must belong to the schema owner.
    /// Returns the files applied now.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [String] {
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
        do {
            let applied = try await migrateLocked(connection)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            throw error
        }
    }

    private func migrateLocked(_ connection: PostgresConnection) async throws -> [String] {
        // The runner's own bookkeeping; everything else comes from Schema/.
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                sha256 text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL DEFAULT current_user
            )
            """, logger: logger)
        let recorded = try await appliedVersions(connection)
        try check(recorded: recorded)
        var appliedNow: [String] = []
        for migration in migrations where recorded[migration.version] == nil {
            logger.info("applying migration", metadata: ["file": "\(migration.fileName)"])
            try await connection.query("BEGIN", logger: logger)
            do {
                // Statement by statement (functions and triggers included, see SQLSplitter); the
                // text comes from the shipped Schema/ folder, never from input.
                for statement in SQLSplitter.split(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO schema_migrations (version, name, sha256)
                    VALUES (\(migration.version), \(migration.name), \(migration.sha256))
                    """, logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                let reason = (error as? PSQLError).flatMap { $0.serverInfo?[.message] } ?? String(describing: error)
                throw MigrationError.failed(file: migration.fileName, reason: reason)
            }
            appliedNow.append(migration.fileName)
        }
        return appliedNow
    }

    /// What the database holds against what this binary ships, without changing anything.
    public func status(on connection: PostgresConnection) async throws -> Status {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        var tableExists = false
        for try await flag in exists.decode(Bool.self) { tableExists = flag }
        let recorded = tableExists ? try await appliedVersions(connection) : [:]
        try check(recorded: recorded)
        return Status(applied: recorded.count,
                      pending: migrations.filter { recorded[$0.version] == nil }.map(\.fileName))
    }

    private func appliedVersions(_ connection: PostgresConnection) async throws -> [Int: (name: String, sha: String)] {
        var recorded: [Int: (name: String, sha: String)] = [:]
        let rows = try await connection.query("SELECT version, name, sha256 FROM schema_migrations", logger: logger)
        for try await (version, name, sha) in rows.decode((Int, String, String).self) {
            recorded[version] = (name, sha)
        }
        return recorded
    }

    private func check(recorded: [Int: (name: String, sha: String)]) throws {
        let shipped = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, row) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let file = shipped[version] else { throw MigrationError.unknownApplied(version: version, name: row.name) }
            if file.sha256 != row.sha {
                throw MigrationError.changedAfterApply(file: file.fileName, recorded: row.sha, actual: file.sha256)
            }
        }
    }
}
