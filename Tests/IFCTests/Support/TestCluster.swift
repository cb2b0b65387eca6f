import Foundation
import IFCCore
@testable import IFCStore
import Logging
import PostgresNIO
import Synchronization

/// One embedded PostgreSQL cluster per test run, made by the same manager `ifcd` uses. Its `ifcd`
/// database is migrated once and serves as the template of a fresh database per test, so tests
/// run in parallel without seeing each other's rows.
final class TestCluster: Sendable {
    static let shared = Task { try await TestCluster.make() }
    /// The audit seals' key of every test's sealer and verifier.
    static let sealKey = AuditSealKey.ephemeral()

    static let logger: Logger = {
        var logger = Logger(label: "ifcd.test")
        logger.logLevel = ProcessInfo.processInfo.environment["IFCD_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    let cluster: EmbeddedCluster
    let port: Int
    let migrations: [Migration]

    private init(cluster: EmbeddedCluster, port: Int, migrations: [Migration]) {
        self.cluster = cluster
        self.port = port
        self.migrations = migrations
    }

    private static func make() async throws -> TestCluster {
        removeLeftovers()
        // Short path: the socket path must stay under ~100 bytes.
        let dir = URL(fileURLWithPath: "/tmp/ifcd-test-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        let cluster = try EmbeddedCluster(dataDir: dir, options: .throwaway, logger: logger)
        let running = try await cluster.start()
        cleanup.withLock { $0 = dir }
        atexit { TestCluster.stopAtExit() }
        let migrations = try Migration.bundled()
        let migrator = Migrator(migrations: migrations, logger: logger)
        _ = try await cluster.ownerSettings(port: running.port).withConnection(logger: logger) {
            try await migrator.migrate(on: $0)
        }
        return TestCluster(cluster: cluster, port: running.port, migrations: migrations)
    }

    private static let cleanup = Mutex<URL?>(nil)

    /// Stops the cluster when the test process exits, and removes its folder.
    private static func stopAtExit() {
        guard let dir = cleanup.withLock({ $0 }) else { return }
        if let cluster = try? EmbeddedCluster(dataDir: dir, logger: logger) {
            try? cluster.stop()
        }
        try? FileManager.default.removeItem(at: dir)
    }

    /// Clusters of earlier test runs that died before their exit handler ran.
    private static func removeLeftovers() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in entries where name.hasPrefix("ifcd-test-") {
            guard let pid = pid_t(name.dropFirst("ifcd-test-".count)), !Posix.processExists(pid) else { continue }
            let dir = URL(fileURLWithPath: "/tmp/\(name)")
            if let cluster = try? EmbeddedCluster(dataDir: dir, logger: logger) { try? cluster.stop() }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    // MARK: - Databases

    /// A new database copied from the migrated template, reachable by the owner and app roles.
    func makeDatabase(template: String = EmbeddedCluster.databaseName) async throws -> TestDatabase {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await cluster.superuserSettings(port: port).withConnection(logger: Self.logger) { connection in
            try await connection.query("CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: template) OWNER \(unescaped: EmbeddedCluster.ownerRole)", logger: Self.logger)
            try await connection.query("REVOKE ALL ON DATABASE \(unescaped: name) FROM PUBLIC", logger: Self.logger)
            try await connection.query("GRANT CONNECT, TEMPORARY ON DATABASE \(unescaped: name) TO \(unescaped: EmbeddedCluster.appRole)", logger: Self.logger)
            try await connection.query("GRANT CONNECT ON DATABASE \(unescaped: name) TO \(unescaped: EmbeddedCluster.sealerRole)", logger: Self.logger)
        }
        return TestDatabase(cluster: self, name: name)
    }

    /// An empty database (no migrations), for the migration tests.
    func makeEmptyDatabase() async throws -> TestDatabase {
        try await makeDatabase(template: "template0")
    }

    func drop(_ name: String) async throws {
        try await cluster.superuserSettings(port: port).withConnection(logger: Self.logger) { connection in
            try await connection.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: Self.logger)
        }
    }
}

struct TestDatabase: Sendable {
    let cluster: TestCluster
    let name: String

    var appSettings: ConnectionSettings { get throws { try cluster.cluster.appSettings(port: cluster.port, database: name) } }
    var ownerSettings: ConnectionSettings { get throws { try cluster.cluster.ownerSettings(port: cluster.port, database: name) } }
    var superuserSettings: ConnectionSettings { get throws { try cluster.cluster.superuserSettings(port: cluster.port, database: name) } }
    var sealerSettings: ConnectionSettings { get throws { try cluster.cluster.sealerSettings(port: cluster.port, database: name) } }

    /// A pool of the sealer's role on this database; its client must be run.
    func sealerStore() throws -> Database {
        let client = PostgresClient(configuration: try sealerSettings.clientConfiguration(maximumConnections: 2),
                                    backgroundLogger: TestCluster.logger)
        return Database(client: client, maximumConnections: 2, acquireTimeout: .seconds(30), logger: TestCluster.logger)
    }

    /// Runs `body` on one connection as the owner role (for test set-up and tampering).
    func asOwner<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await ownerSettings.withConnection(logger: TestCluster.logger, body)
    }

    func asApp<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await appSettings.withConnection(logger: TestCluster.logger, body)
    }

    func drop() async throws { try await cluster.drop(name) }
}

/// At most this many tests hold a database at once: Swift Testing starts every test together,
/// and each app holds a pool, so without a bound a growing suite runs the cluster out of
/// connections (max_connections 200) and a busy machine out of time.
let testDatabaseSlots = TestSlots(12)

/// A counting semaphore for tests.
actor TestSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// A fresh database for the duration of `body`, dropped afterwards.
func withTestDatabase<T: Sendable>(empty: Bool = false, _ body: (TestDatabase) async throws -> T) async throws -> T {
    await testDatabaseSlots.acquire()
    defer { Task { await testDatabaseSlots.release() } }
    let cluster = try await TestCluster.shared.value
    let database = empty ? try await cluster.makeEmptyDatabase() : try await cluster.makeDatabase()
    do {
        let result = try await body(database)
        try await database.drop()
        return result
    } catch {
        try? await database.drop()
        throw error
    }
}

extension PostgresConnection {
    /// The first column of the first row, decoded.
    func scalar<T: PostgresDecodable>(_ query: PostgresQuery, as: T.Type = T.self) async throws -> T? {
        for try await value in try await self.query(query, logger: TestCluster.logger).decode(T.self) { return value }
        return nil
    }
}
