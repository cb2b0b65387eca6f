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

    public init(client: PostgresClient, maximumConnections: Int, logger: Logger) {
        self.client = client
        self.maximumConnections = maximumConnections
        self.logger = logger
    }

    /// Connections currently lent out, for the pool-use gauge.
    public var connectionsInUse: Int { leased.load(ordering: .relaxed) }

    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        leased.add(1, ordering: .relaxed)
        defer { leased.subtract(1, ordering: .relaxed) }
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch let error as PSQLError {
            throw StoreError(error)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Serialization failures and deadlocks (40001, 40P01) are retried a few times, since the
    /// whole transaction, audit entry included, is replayed.
    public func transaction<T: Sendable>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
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
                        _ = try? await connection.query("ROLLBACK", logger: logger)
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
    public let underlying: PSQLError

    public init(_ error: PSQLError) { self.underlying = error }

    public var sqlState: String? { underlying.serverInfo?[.sqlState] }
    public var constraint: String? { underlying.serverInfo?[.constraintName] }
    public var serverMessage: String? { underlying.serverInfo?[.message] }

    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// True when the database could not be reached or went away: the request may be retried.
    public var isUnavailable: Bool {
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
            if isUnavailable { return .unavailable("the database is unavailable") }
            return Problem(slug: "internal", title: "Internal error", status: 500, detail: "the store failed to answer")
        }
    }

    public var description: String { String(reflecting: underlying) }
}
