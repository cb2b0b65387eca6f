import Foundation
import NIOSSL
import PostgresNIO

/// Where and as whom to connect. Built from `IFCD_DATABASE_URL` (a configured server) or by the
/// embedded cluster manager (a Unix socket in the data folder).
public struct ConnectionSettings: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case unixSocket(path: String)
        case tcp(host: String, port: Int, tls: TLSMode)
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String

    public init(endpoint: Endpoint, username: String, password: String?, database: String) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    public func with(database: String) -> ConnectionSettings {
        var copy = self
        copy.database = database
        return copy
    }

    public func with(username: String, password: String?) -> ConnectionSettings {
        var copy = self
        copy.username = username
        copy.password = password
        return copy
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=require`.
    public init(url text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw ConfigurationError("database URL must look like postgres://user:password@host:5432/database")
        }
        guard let user = url.user, !user.isEmpty else { throw ConfigurationError("database URL names no user") }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !database.isEmpty else { throw ConfigurationError("database URL names no database") }
        let sslmode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let host = url.host ?? "localhost"
        if host.hasPrefix("/") {
            self.endpoint = .unixSocket(path: "\(host)/.s.PGSQL.\(url.port ?? 5432)")
        } else {
            // As libpq: TLS when the server offers it unless told otherwise; required (and the
            // certificate verified) for require and verify-*.
            let tls: TLSMode = sslmode == "disable" ? .disable : (sslmode == "require" || sslmode.hasPrefix("verify")) ? .require : .prefer
            self.endpoint = .tcp(host: host, port: url.port ?? 5432, tls: tls)
        }
        self.username = user.removingPercentEncoding ?? user
        self.password = url.password?.removingPercentEncoding
        self.database = database
    }

    public func clientConfiguration(maximumConnections: Int) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: username, password: password, database: database)
        case .tcp(let host, let port, let tlsMode):
            configuration = .init(host: host, port: port, username: username, password: password, database: database,
                                  tls: tlsMode == .disable ? .disable : tlsMode == .require ? .require(.makeClientConfiguration()) : .prefer(TLSMode.opportunistic))
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(5)
        // The pool arms an idle timer (and a keep-alive timer) each time a connection goes back to
        // it, and cancels them at the next lease. A cancelled sleep keeps its memory until its
        // deadline (swiftlang/swift#60441), so memory grows with leases/s × timeout: at the
        // defaults (60 s idle, 30 s keep-alive) RSS climbed 1.5 KB per request, past 400 MB in a
        // minute of load. A 5 s idle timeout bounds that; a connection idle that long is closed,
        // so no keep-alive ping is needed, and a dead one is caught when it is lent (LeaseWatchdog).
        configuration.options.connectionIdleTimeout = .seconds(5)
        configuration.options.keepAliveBehavior = nil
        // Every pooled connection, embedded or external: no request holds a statement or an idle
        // transaction for long. The audit sealer counts on it (an entry whose transaction is still
        // open after its grace is no longer waited for), and the verifier lifts it for its walk.
        // And every commit (audit entries above all) is durable before it is acknowledged, whatever
        // the server's or the role's default for synchronous_commit says.
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "30s"), ("idle_in_transaction_session_timeout", "60s"), ("synchronous_commit", "on"),
        ]
        return configuration
    }

    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        switch endpoint {
        case .unixSocket(let path):
            return .init(unixSocketPath: path, username: username, password: password, database: database)
        case .tcp(let host, let port, let tlsMode):
            return .init(host: host, port: port, username: username, password: password, database: database,
                         tls: tlsMode == .disable ? .disable
                             : tlsMode == .require ? .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                             : .prefer(try NIOSSLContext(configuration: TLSMode.opportunistic)))
        }
    }

    /// Why this connection would cross a network unprotected: TCP to a host other than this
    /// machine with TLS not required (`sslmode` disable, allow or prefer; `require` and
    /// `verify-*` verify the certificate fully here). Nil when it is protected or local.
    public var transportProblem: String? {
        guard case .tcp(let host, _, let tls) = endpoint, tls != .require else { return nil }
        let local = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
        return local ? nil : "the database at \(host) is reached without verified TLS: use sslmode=verify-full "
            + "(or set database.allowInsecureTransport, for a network you trust)"
    }

    /// Opens one connection outside any pool (migrations, bootstrap, CLI maintenance).
    public func connect(logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: try connectionConfiguration(), id: 1, logger: logger)
    }

    public func withConnection<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect(logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

public enum TLSMode: Sendable, Equatable {
    case disable, prefer, require

    /// `prefer` (and no sslmode): encrypted whenever the server offers TLS, without checking
    /// its certificate, as libpq does. `require` and `verify-*` check the certificate fully.
    static var opportunistic: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
