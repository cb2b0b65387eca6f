import IFCCore
import IFCStore

/// A domain module: it owns its tables (its own numbered files in `Schema/`), its SQL, its rules
/// and its routes. The server lists modules and asks each to plug in; no module edits another.
public protocol IFCModule: Sendable {
    /// Short name, used in logs and as the OpenAPI tag.
    var name: String { get }
    /// Adds the module's routes (each with its spec, roles and audit) to the registry.
    func addRoutes(to routes: RouteRegistry)
    /// Component schemas the module's route specs refer to with `Schema.ref`.
    var schemas: [String: JSONValue] { get }
    /// Fills an empty database with a small, plausible sample (`ifcd demo seed`); returns what
    /// it added ("250 firearms, 80 holders"), or nil when the module has no demo data or found
    /// its tables not empty.
    func seedDemo(_ seed: DemoSeed) async throws -> String?
}

extension IFCModule {
    public var schemas: [String: JSONValue] { [:] }
    public func seedDemo(_ seed: DemoSeed) async throws -> String? { nil }
}

/// What a module's demo seeding gets: the store and the principal the entries are audited to.
public struct DemoSeed: Sendable {
    public let database: Database
    public let principal: Principal
    public let environment: AppEnvironment

    public init(database: Database, principal: Principal, environment: AppEnvironment) {
        self.database = database
        self.principal = principal
        self.environment = environment
    }
}

/// What every module is built from: the store, the audit writer and the app's clock. Modules
/// that read another module get that module's public read API as well (see `makeModules`).
public struct ModuleContext: Sendable {
    public let database: Database
    public let audit: AuditWriter
    public let environment: AppEnvironment

    public init(database: Database, audit: AuditWriter, environment: AppEnvironment) {
        self.database = database
        self.audit = audit
        self.environment = environment
    }
}
