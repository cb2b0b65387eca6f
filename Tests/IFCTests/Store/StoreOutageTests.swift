import Foundation
import IFCCore
@testable import IFCStore
import Logging
import PostgresNIO
import Testing

/// What a request sees when the database is not there: an answer, never a hang. (The full
/// outage, with PostgreSQL stopped and started again under load, is Deploy/reliability/harness.py.)
@Suite("Store outage")
struct StoreOutageTests {
    @Test("with no database to connect to, work fails as unavailable (503) after the acquire timeout, not the pool's 60 s")
    func noDatabase() async throws {
        // A Unix socket path nothing listens on: every connection attempt fails at once, so the
        // pool queues the lease and retries with backoff until its circuit breaker (60 s).
        let socket = NSTemporaryDirectory() + "ifcd-nothing-\(UUID().uuidString.prefix(8))/.s.PGSQL.5432"
        let client = PostgresClient(configuration: .init(unixSocketPath: socket, username: "nobody", password: "x", database: "none"),
                                    backgroundLogger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let database = Database(client: client, maximumConnections: 2, acquireTimeout: .seconds(1), logger: TestCluster.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let clock = ContinuousClock()
            let started = clock.now
            var problem: Problem?
            do {
                _ = try await database.transaction { connection in try await connection.query("SELECT 1", logger: TestCluster.logger) }
            } catch let error as StoreError {
                problem = error.problem
            }
            #expect(problem?.status == 503)
            // A bound on a hang, not a timing measurement: without the watchdog this waits 60 s.
            #expect(clock.now - started < .seconds(30))
            // The caller's own task was not cancelled: it goes on working (here: a second attempt).
            #expect(!Task.isCancelled)
            await #expect(throws: StoreError.self) {
                _ = try await database.withConnection { connection in try await connection.query("SELECT 1", logger: TestCluster.logger) }
            }
        }
    }
}
