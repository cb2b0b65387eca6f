import Accounts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IFCCore
import IFCHTTP
import IFCServer
import IFCStore
import Logging
import PostgresNIO
import Registry
import Synchronization
import Testing

/// A clock the test moves by hand: token expiry and lockouts are tested without waiting.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
}

/// The whole application on a fresh database, built and run as `ifcd serve` builds and runs it,
/// driven through a client on a real connection.
struct TestApp: Sendable {
    let database: TestDatabase
    let store: Database
    /// The sealer role's pool (run by the app).
    let sealerStore: Database
    let parts: AppParts
    let clock: TestClock
    let client: any TestClientProtocol
    /// The loopback port the app is served on.
    let port: Int?

    /// Creates a user with `roles` and returns a bearer token for it.
    @discardableResult
    /// A user's token. Test users are cleared to `restricted` unless told (the cases the suites
    /// open are restricted); the need-to-know tests give each user the clearance they test.
    /// An examiner is authorised for every kind of examination since 2000 (a laboratory manager's
    /// record, written here as set-up) unless `authorised` is false: the authorisation tests give
    /// each examiner the authorisations they test.
    func token(roles: Set<Role>, username: String? = nil, password: String = "correct horse battery staple",
               clearance: Clearance = .restricted, authorised: Bool = true) async throws -> String {
        let name = username ?? "u\(UUID().uuidString.prefix(8).lowercased())"
        let user = try await parts.accounts.createUser(
            .init(username: Username(name)!, password: password, roles: roles, clearance: clearance), by: .cli(osUser: "test"), requestID: nil)
        if roles.contains(.examiner) && authorised {
            try await execute("""
                INSERT INTO examiner_authorisations (id, user_id, username, kind, valid_from, basis, granted_by)
                SELECT gen_random_uuid(), \(user.id), \(name), k, DATE '2000-01-01', 'test set-up', 'test.lab.manager'
                FROM unnest(ARRAY['serial_number_restoration', 'operability', 'comparison', 'ammunition_identification', 'trigger_pull',
                                  'other']) k
                """)
        }
        return try await parts.accounts.issueToken(username: name, ttl: 8 * 3600, by: .cli(osUser: "test")).token
    }

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
                 headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers,
                                        body: json.map { ByteBuffer(string: $0) })
    }
}

extension AppParts: @unchecked Sendable {}

/// Builds the app on a fresh database with `buildApplication`, exactly as `ifcd serve` does (the
/// database client, the audit writer and the sealer run as its services and stop in its order),
/// serves it on a loopback port (HummingbirdTesting's live mode) and runs `body` against it.
func withTestApp(configure: (inout AppConfig) -> Void = { _ in },
                 additionalModules: @escaping @Sendable (ModuleContext, Registry) -> [any IFCModule] = { _, _ in [] },
                 outerMiddleware: ClosureMiddleware? = nil,
                 beforeStart: @Sendable (TestDatabase) async throws -> Void = { _ in },
                 _ body: @Sendable (TestApp) async throws -> Void) async throws {
    try await withTestDatabase { database in
        var config = AppConfig()
        config.bcryptCost = 4
        config.auditWriters = 1
        config.poolSize = 4
        // Off unless a test turns it on (TokenCacheTests): tests change users and tokens in SQL too.
        config.tokenCacheMilliseconds = 0
        configure(&config)
        try await beforeStart(database)
        let clock = TestClock()
        let environment = AppEnvironment(now: { clock.now }, randomBytes: AppEnvironment.live.randomBytes)
        let client = PostgresClient(configuration: try database.appSettings.clientConfiguration(maximumConnections: config.poolSize),
                                    backgroundLogger: TestCluster.logger)
        // A loaded CI machine waits for a connection rather than failing the test (StoreOutageTests covers the timeout).
        let store = Database(client: client, maximumConnections: config.poolSize, acquireTimeout: .seconds(30), logger: TestCluster.logger)
        var context = AppContext(config: config, database: store, migrations: database.cluster.migrations,
                                 environment: environment, logger: TestCluster.logger, additionalModules: additionalModules)
        context.outerMiddleware = outerMiddleware
        let sealerStore = try database.sealerStore()
        context.sealerDatabase = sealerStore
        context.sealKey = TestCluster.sealKey
        let (application, parts) = try buildApplication(context)
        try await application.test(.live) { testClient in
            try await body(TestApp(database: database, store: store, sealerStore: sealerStore, parts: parts, clock: clock, client: testClient, port: testClient.port))
        }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    var object: [String: Any] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: Data(buffer: body))
            guard let object = value as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
            return object
        }
    }

    /// The problem's `errors[].field` values.
    var problemFields: [String] {
        get throws { ((try object["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String } }
    }

    var isProblem: Bool { headers[.contentType] == "application/problem+json" }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestApp {
    /// A count read as the owner (bypassing the app role's grants), -1 when the query answers no row.
    func count(_ sql: PostgresQuery) async throws -> Int {
        try await database.asOwner { try await $0.scalar(sql, as: Int.self) } ?? -1
    }

    /// A statement run as the owner: what the database refuses whatever the code above it does.
    func execute(_ sql: PostgresQuery) async throws {
        _ = try await database.asOwner { try await $0.query(sql, logger: TestCluster.logger) }
    }
}
