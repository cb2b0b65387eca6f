import IFCCore
import Logging
import PostgresNIO
import Synchronization

/// The application's PostgreSQL access: a pooled client plus the transaction helper every module
/// uses. Handlers never hold a connection across awaits of other work; the pool serves many.
public final class Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    public let maximumConnections: Int
    private let leased = Atomic<Int>(0)

    private let watchdog: LeaseWatchdog

    /// `acquireTimeout` bounds the wait for a pooled connection: past it, the request fails as
    /// unavailable (503) instead of waiting for a database that is gone.
    public init(client: PostgresClient, maximumConnections: Int, acquireTimeout: Duration = .seconds(5), logger: Logger) {
        self.client = client
        self.maximumConnections = maximumConnections
        self.logger = logger
        let watchdog = LeaseWatchdog(timeout: acquireTimeout, logger: logger)
        self.watchdog = watchdog
        Task { [weak watchdog] in
            await LeaseWatchdog.run(tick: .milliseconds(100)) { [weak watchdog] in watchdog }
        }
    }

    /// Connections currently lent out, for the pool-use gauge.
    public var connectionsInUse: Int { leased.load(ordering: .relaxed) }

    public func withConnection<T: Sendable>(@_implicitSelfCapture _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        leased.add(1, ordering: .relaxed)
        defer { leased.subtract(1, ordering: .relaxed) }
        do {
            return try await watchdog.run(client, body)
        } catch let error as PSQLError {
            throw StoreError(error)
        } catch where String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError") {
            // The pool refuses (shutting down, or its circuit breaker open). Its error type is not
            // public, so it is recognised by name.
            throw StoreError.poolRefused
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Serialization failures and deadlocks (40001, 40P01) are retried a few times, since the
    /// whole transaction, audit entry included, is replayed.
    public func transaction<T: Sendable>(
        isolation: IsolationLevel = .readCommitted,
        @_implicitSelfCapture _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        let logger = self.logger
        while true {
            attempt += 1
            do {
                return try await withConnection { connection in
                    try await connection.query(isolation.begin, logger: logger)
                    do {
                        let result = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return result
                    } catch {
                        // No ROLLBACK on a connection that closed: the server rolled back
                        // already, and PostgresNIO would never answer a query written to it.
                        if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                        throw error
                    }
                }
            } catch let error as StoreError where error.isRetryable && attempt < 4 {
                logger.debug("retrying transaction", metadata: ["sqlstate": "\(error.sqlState ?? "-")", "attempt": "\(attempt)"])
                continue
            } catch let error as PSQLError {
                throw StoreError(error)
            }
        }
    }

    public enum IsolationLevel: Sendable {
        case readCommitted, repeatableRead, serializable
        var begin: PostgresQuery {
            switch self {
            case .readCommitted: "BEGIN"
            case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
            case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
            }
        }
    }
}

/// A database error with its SQLSTATE, mapped to a problem for clients. The full PSQLError is
/// kept for the log (`String(reflecting:)`) and never shown to a client.
public struct StoreError: Error, ProblemConvertible, CustomStringConvertible {
    /// Nil when no connection could be had at all (`noConnection` says why).
    public let underlying: PSQLError?
    /// Why no pooled connection could be had, when none could.
    public let noConnection: String?

    public init(_ error: PSQLError) {
        self.underlying = error
        self.noConnection = nil
    }

    private init(noConnection: String) {
        self.underlying = nil
        self.noConnection = noConnection
    }

    /// No pooled connection came within the acquire timeout.
    static let acquireTimeout = StoreError(noConnection: "no database connection came in time: the database is unreachable or overloaded")
    /// The connection closed under the work and the work did not end (see `LeaseWatchdog`).
    static let connectionLost = StoreError(noConnection: "the database connection was lost")
    /// The pool refused to lend: it is shutting down, or it gave up connecting.
    static let poolRefused = StoreError(noConnection: "the database is unavailable")

    public var sqlState: String? { underlying?.serverInfo?[.sqlState] }
    public var constraint: String? { underlying?.serverInfo?[.constraintName] }
    public var serverMessage: String? { underlying?.serverInfo?[.message] }

    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// True when the database could not be reached or went away: the request may be retried.
    public var isUnavailable: Bool {
        guard let underlying else { return true }
        switch underlying.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown:
            return true
        default:
            // 57P01..57P03: admin shutdown, crash shutdown, cannot connect now; 53300 too many connections.
            if let state = sqlState, state.hasPrefix("57P") || state == "53300" || state.hasPrefix("08") { return true }
            return false
        }
    }

    public var problem: Problem {
        switch sqlState {
        case "23505":
            return .conflict("a record with these values exists already (\(constraint ?? "unique"))", slug: "duplicate")
        case "23503":
            return .validation([.init(field: constraint ?? "reference", detail: "refers to a record that does not exist")])
        case "22021":
            return .validation([.init(field: constraint ?? "body", detail: "contains a character that cannot be stored (NUL)")])
        case "23514", "22001", "22P02", "22007", "22008", "22003":
            return .validation([.init(field: constraint ?? "body", detail: "is not accepted by the store")])
        case "40001", "40P01":
            return Problem(slug: "conflict-retry", title: "Concurrent update", status: 409,
                           detail: "a concurrent change interfered; retry the request", retryAfter: 1)
        case "57014":
            return .unavailable("the database took too long to answer")
        default:
            if let noConnection { return .unavailable(noConnection) }
            if isUnavailable { return .unavailable("the database is unavailable") }
            return Problem(slug: "internal", title: "Internal error", status: 500, detail: "the store failed to answer")
        }
    }

    public var description: String { underlying.map { String(reflecting: $0) } ?? (noConnection ?? "no connection") }
}
