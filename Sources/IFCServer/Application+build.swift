import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import Accounts
import Registry
import Forensics
import Exhibits
import IFCTracing
import Logging
import PostgresNIO
import ServiceLifecycle

/// What the application is built from. Tests build it the same way with their own database,
/// clock and settings.
public struct AppContext: Sendable {
    public var config: AppConfig
    public var database: Database
    public var migrations: [Migration]
    public var environment: AppEnvironment
    public var logger: Logger
    /// Modules beyond those this build ships (a test's throwaway module, say), added after them.
    public var additionalModules: @Sendable (ModuleContext, Registry) -> [any IFCModule]
    /// Middleware put outermost, before the request id (tests count requests in flight with it).
    public var outerMiddleware: ClosureMiddleware?
    /// Where signed audit checkpoints go, and their key (`serve` sets it; tests may).
    public var checkpoints: CheckpointFiles?
    /// The sealer's pool (its own database role) and the seals' key; `buildParts` needs both.
    public var sealerDatabase: Database?
    public var sealKey: AuditSealKey?

    public init(config: AppConfig, database: Database, migrations: [Migration], environment: AppEnvironment = .live, logger: Logger,
                additionalModules: @escaping @Sendable (ModuleContext, Registry) -> [any IFCModule] = { _, _ in [] }) {
        self.config = config
        self.database = database
        self.migrations = migrations
        self.environment = environment
        self.logger = logger
        self.additionalModules = additionalModules
    }
}

/// The assembled parts: the router (with every module's routes), the services to run beside
/// it, and the OpenAPI document.
public struct AppParts {
    public let router: Router<AppRequestContext>
    public let specs: [RouteSpec]
    public let document: JSONValue
    public let auditWriter: AuditWriter
    public let sealer: AuditSealer
    public let metrics: AppMetrics
    public let accounts: Accounts
}

public let ifcdVersion = "0.1.0"

/// The modules of this node, in the order their routes are added. A new module is one line
/// here; a module that reads another gets that module's read API (`registry.reader(for:)`).
func makeModules(_ context: AppContext, audit: AuditWriter, accounts: Accounts) -> [any IFCModule] {
    let kit = ModuleContext(database: context.database, audit: audit, environment: context.environment)
    let registry = Registry(kit, settings: RegistrySettings(
        categories: context.config.registryCategories, makesModels: context.config.registryMakesModels,
        retentionYears: [.licensing: context.config.retentionYearsLicensing, .lawEnforcement: context.config.retentionYearsLawEnforcement],
        importMaxBytes: context.config.importMaxBytes, importMaxRows: context.config.importMaxRows))
    // The case report lists the case's exhibits with their custody, from the exhibits module's
    // source (the exhibits module reads forensics, so forensics cannot import it).
    let forensics = Forensics(kit, registry: registry.reader(for: "forensics"), intake: registry.intake(for: "forensics"),
                              exhibits: CaseExhibitsForReport(kit), users: accounts, laboratory: context.config.forensicsLaboratory)
    // A restored firearm names its case; the registry shows that reference only to who may see the case.
    registry.discloseCases(through: forensics.caseDisclosure())
    let exhibits = Exhibits(kit, forensics: forensics.reader(for: "exhibits"), registry: registry.reader(for: "exhibits"),
                            intake: registry.intake(for: "exhibits"), users: accounts)
    let tracing = Tracing(kit, registry: registry.reader(for: "tracing"), forensics: forensics.reader(for: "tracing"),
                          exhibits: exhibits.reader(for: "tracing"), users: accounts,
                          settings: TracingSettings(timeToCrimeYears: context.config.tracingTimeToCrimeYears,
                                                    nodeCountry: context.config.nodeCountry.flatMap(Country.init)))
    return [accounts, registry, forensics, exhibits, tracing] + context.additionalModules(kit, registry)
}

public func buildParts(_ context: AppContext) throws -> AppParts {
    guard let sealerDatabase = context.sealerDatabase, let sealKey = context.sealKey else {
        throw ConfigurationError("the audit sealer needs its own database role and the seal key")
    }
    let sealer = AuditSealer(database: sealerDatabase, key: sealKey, logger: context.logger,
                             maxRunEntries: context.config.auditSealRunEntries)
    let metrics = AppMetrics(database: context.database)
    let auditWriter = AuditWriter(database: context.database, workers: context.config.auditWriters,
                                  readCeiling: ReadCeiling(maxPerHour: context.config.auditMaxReadsPerHour, now: context.environment.now),
                                  onFlush: { sealer.wake() },
                                  observe: { metrics.observeAuditFlush(entries: $0, duration: $1, inFlight: $2) })
    let accounts = Accounts(database: context.database, audit: auditWriter,
                            hasher: PasswordHasher(cost: UInt8(context.config.bcryptCost)), environment: context.environment,
                            settings: .init(tokenTTL: context.config.tokenTTL, maxFailedLogins: context.config.maxFailedLogins,
                                            lockout: context.config.lockoutSeconds,
                                            loginsPerMinutePerAddress: context.config.loginsPerMinutePerAddress,
                                            tokenCacheTTL: .milliseconds(context.config.tokenCacheMilliseconds)))
    let router = Router(context: AppRequestContext.self)
    // Order matters: middleware applies to the routes added after it.
    if let outer = context.outerMiddleware { router.add(middleware: outer) }
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    let allowedMethods = AllowedMethods()
    router.add(middleware: ProblemMiddleware(allowed: allowedMethods))
    let registry = RouteRegistry(
        router: router,
        authenticator: BearerAuthenticator { token, _ in try await accounts.principal(forToken: token) },
        idempotency: IdempotencyMiddleware(database: context.database),
        audit: auditWriter)
    let box = SystemRoutes.DocumentBox()
    let system = SystemRoutes(database: context.database, migrations: context.migrations, metrics: metrics, audit: auditWriter,
                              maxUnsealedAge: context.config.auditMaxUnsealedSeconds, sealKey: sealKey,
                              environment: context.environment, document: box)
    let modules: [any IFCModule] = [system] + makeModules(context, audit: auditWriter, accounts: accounts)
    let schemas = try OpenAPIDocument.mergeSchemas(of: modules)
    for module in modules {
        module.addRoutes(to: registry)
    }
    allowedMethods.set(registry.specs)
    let document = OpenAPIDocument.build(specs: registry.specs, schemas: schemas, version: ifcdVersion)
    let data = (try? JSONBody.encoder.encode(document)) ?? Data()
    box.json.withLock { $0 = ByteBuffer(bytes: data) }
    return AppParts(router: router, specs: registry.specs, document: document, auditWriter: auditWriter, sealer: sealer,
                    metrics: metrics, accounts: accounts)
}

/// The whole daemon as one Hummingbird application: the HTTP server plus the database client,
/// the audit sealer and the audit writer as services, shut down in reverse order (server first, so
/// requests drain before the audit writer, the sealer and the pool close). `serve` runs it; the
/// tests run the same application (HummingbirdTesting's live mode) and use its parts.
public func buildApplication(_ context: AppContext, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
    throws -> (application: some ApplicationProtocol, parts: AppParts)
{
    let parts = try buildParts(context)
    var app = Application(
        router: parts.router,
        configuration: .init(address: .hostname(context.config.host, port: context.config.port), serverName: "ifcd"),
        onServerRunning: onServerRunning,
        logger: context.logger)
    // Services stop in reverse order: the writer drains first, then the sealer seals what it
    // wrote, then the pool closes.
    if let files = context.checkpoints {
        // Started before the sealer, so stopped after it: the last checkpoint covers the last seal.
        let checkpointer = try AuditCheckpointer(database: context.database, files: files,
                                                 interval: .seconds(context.config.auditCheckpointSeconds), logger: context.logger)
        app.addServices(context.database.client, CheckpointService(checkpointer: checkpointer))
    } else {
        app.addServices(context.database.client)
    }
    if let sealerDatabase = context.sealerDatabase { app.addServices(sealerDatabase.client) }
    app.addServices(
        SealerService(sealer: parts.sealer),
        AuditWriterService(writer: parts.auditWriter),
        IdempotencyPurgeService(database: context.database, logger: context.logger),
        TokenCacheService(cache: parts.accounts.tokenCache, client: context.database.client, logger: context.logger))
    return (app, parts)
}

struct AuditWriterService: Service {
    let writer: AuditWriter
    func run() async throws {
        await withGracefulShutdownHandler {
            await writer.run()
        } onGracefulShutdown: {
            writer.stop()
        }
    }
}

/// Listens for token and user changes so that cached principals are dropped at once (see `TokenCache`).
struct TokenCacheService: Service {
    let cache: TokenCache
    let client: PostgresClient
    let logger: Logger
    func run() async throws {
        // A service that returns ends the whole group: with the cache off, wait for shutdown.
        guard cache.isEnabled else { try? await gracefulShutdown(); return }
        await cancelWhenGracefulShutdown {
            await cache.listen(client: client, logger: logger)
        }
    }
}

/// Purges kept Idempotency-Key answers older than a day, at start and then hourly.
struct IdempotencyPurgeService: Service {
    let database: Database
    let logger: Logger
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await IdempotencyMiddleware.purge(database: database, logger: logger)
                    if purged > 0 { logger.info("idempotency keys purged", metadata: ["count": "\(purged)"]) }
                } catch {
                    logger.warning("idempotency purge failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}

struct CheckpointService: Service {
    let checkpointer: AuditCheckpointer
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await checkpointer.run()
        }
    }
}

struct SealerService: Service {
    let sealer: AuditSealer
    func run() async throws {
        await withGracefulShutdownHandler {
            await sealer.run()
        } onGracefulShutdown: {
            sealer.stop()
        }
    }
}

/// `ifcd demo seed`: asks every module for its sample, in module order (later modules link to
/// the records of earlier ones). Returns what each module added.
public func seedDemo(database: Database, config: AppConfig, principal: Principal, logger: Logger) async throws -> [String] {
    let context = AppContext(config: config, database: database, migrations: [], logger: logger)
    let audit = AuditWriter(database: database)
    let accounts = Accounts(database: database, audit: nil, hasher: PasswordHasher(cost: UInt8(config.bcryptCost)), environment: .live)
    let seed = DemoSeed(database: database, principal: principal, environment: .live)
    // A module's seed may read (and so record read entries): the writer runs meanwhile.
    let writer = Task { await audit.run() }
    defer { audit.stop() }
    var added: [String] = []
    for module in makeModules(context, audit: audit, accounts: accounts) {
        if let summary = try await module.seedDemo(seed) { added.append("\(module.name): \(summary)") }
    }
    audit.stop()
    await writer.value
    return added
}

/// A middleware given as a closure (see `AppContext.outerMiddleware`).
public struct ClosureMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public typealias Handler = @Sendable (Request, AppRequestContext, (Request, AppRequestContext) async throws -> Response) async throws -> Response
    let body: Handler
    public init(_ body: @escaping Handler) { self.body = body }
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await body(request, context, next)
    }
}
