import Foundation
import PostgresNIO

/// The cluster's database roles: the owner and application roles and the database on first
/// start, and the sealer's role (also in clusters made before it existed).
extension EmbeddedCluster {
    /// Creates the owner and app roles and the database on first start. Role DDL takes no bound
    /// parameters, so the passwords (random hex we generated, never input) are inlined as literals.
    func bootstrapRolesIfNeeded(port: Int) async throws {
        let marker = dataDir.appendingPathComponent("bootstrapped")
        guard !FileManager.default.fileExists(atPath: marker.path) else { return }
        let secrets = try secrets()
        let settings = try superuserSettings(port: port)
        do {
            // Idempotent: a start interrupted half-way is completed by the next one.
            try await settings.withConnection(logger: self.logger) { connection in
                func exists(_ sql: PostgresQuery) async throws -> Bool {
                    try await connection.query(sql, logger: self.logger).collect().count > 0
                }
                if try await !exists("SELECT 1 FROM pg_roles WHERE rolname = \(Self.ownerRole)") {
                    try await connection.query("""
                        CREATE ROLE \(unescaped: Self.ownerRole) LOGIN CREATEDB PASSWORD '\(unescaped: secrets.owner)'
                        """, logger: self.logger)
                }
                if try await !exists("SELECT 1 FROM pg_roles WHERE rolname = \(Self.appRole)") {
                    try await connection.query("""
                        CREATE ROLE \(unescaped: Self.appRole) LOGIN PASSWORD '\(unescaped: secrets.app)'
                        """, logger: self.logger)
                }
                try await connection.query("ALTER ROLE \(unescaped: Self.appRole) SET idle_in_transaction_session_timeout = '60s'", logger: self.logger)
                try await connection.query("ALTER ROLE \(unescaped: Self.appRole) SET statement_timeout = '30s'", logger: self.logger)
                if try await !exists("SELECT 1 FROM pg_database WHERE datname = \(Self.databaseName)") {
                    try await connection.query("CREATE DATABASE \(unescaped: Self.databaseName) OWNER \(unescaped: Self.ownerRole)", logger: self.logger)
                }
                try await connection.query("REVOKE ALL ON DATABASE \(unescaped: Self.databaseName) FROM PUBLIC", logger: self.logger)
                try await connection.query("GRANT CONNECT, TEMPORARY ON DATABASE \(unescaped: Self.databaseName) TO \(unescaped: Self.appRole)", logger: self.logger)
            }
            try await self.superuserSettings(port: port, database: Self.databaseName).withConnection(logger: self.logger) { connection in
                // The owner role owns the schema; the app role may use it, and create nothing.
                try await connection.query("ALTER SCHEMA public OWNER TO \(unescaped: Self.ownerRole)", logger: self.logger)
                try await connection.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC", logger: self.logger)
                try await connection.query("GRANT USAGE ON SCHEMA public TO \(unescaped: Self.appRole)", logger: self.logger)
                // pg_trgm for the registry's partial-serial search; only a superuser may create it.
                try await connection.query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public", logger: self.logger)
            }
        }
        try PrivateFile.write(Data("\(Date())\n".utf8), to: marker.path, mode: 0o600)
    }

    /// The sealer's role, in clusters made before it existed too (under the cluster lock, so
    /// two starting processes never race to create it).
    func createSealerRoleIfNeeded(port: Int) async throws {
        let marker = dataDir.appendingPathComponent("sealer-role")
        guard !FileManager.default.fileExists(atPath: marker.path) else { return }
        let password = try secrets().sealerPassword
        try await superuserSettings(port: port).withConnection(logger: logger) { connection in
            let found = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(Self.sealerRole)", logger: self.logger).collect()
            if found.isEmpty {
                try await connection.query("""
                    CREATE ROLE \(unescaped: Self.sealerRole) LOGIN PASSWORD '\(unescaped: password)'
                    """, logger: self.logger)
            }
            try await connection.query("GRANT CONNECT ON DATABASE \(unescaped: Self.databaseName) TO \(unescaped: Self.sealerRole)", logger: self.logger)
        }
        try PrivateFile.write(Data("\(Date())\n".utf8), to: marker.path, mode: 0o600)
    }
}
