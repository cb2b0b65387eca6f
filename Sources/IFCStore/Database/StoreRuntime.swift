import Foundation
import IFCCore
import Logging
import PostgresNIO

/// Where the database is and how ifcd reaches it: an embedded cluster in the data folder, or a
/// configured server. Opens the pooled client of the application role, after migrating as owner.
public final class StoreRuntime: Sendable {
    public struct Options: Sendable {
        public var dataDir: URL
        /// The application role's URL (`IFCD_DATABASE_URL`); nil means the embedded cluster.
        public var databaseURL: String?
        /// Lets an external database on another host be reached without verified TLS.
        public var allowInsecureTransport = false
        /// The schema owner's URL for migrations; defaults to `databaseURL`.
        public var ownerDatabaseURL: String?
        /// The sealer role's URL (`database.sealerUrl`); required with an external database.
        public var sealerDatabaseURL: String?
        public var poolSize: Int
        /// How long a request waits for a pooled connection before it is answered 503.
        public var acquireTimeout: Duration = .seconds(5)
        public var clusterOptions: EmbeddedCluster.Options
        /// True for `serve`, which holds the folder's serve lock and so owns the cluster outright.
        public var holdsServeLock = false

        public init(dataDir: URL, databaseURL: String? = nil, ownerDatabaseURL: String? = nil, poolSize: Int = 20,
                    clusterOptions: EmbeddedCluster.Options = .durable) {
            self.dataDir = dataDir
            self.databaseURL = databaseURL
            self.ownerDatabaseURL = ownerDatabaseURL
            self.poolSize = poolSize
            self.clusterOptions = clusterOptions
        }
    }

    public let cluster: EmbeddedCluster?
    /// True when this process started the embedded postmaster.
    public let startedCluster: Bool
    public let appSettings: ConnectionSettings
    public let ownerSettings: ConnectionSettings
    public let database: Database
    /// A small pool of the sealer's role, the only one that may write seals. Its client must be
    /// run beside `database`'s.
    public let sealerDatabase: Database
    let logger: Logger

    private init(cluster: EmbeddedCluster?, startedCluster: Bool, appSettings: ConnectionSettings,
                 ownerSettings: ConnectionSettings, database: Database, sealerDatabase: Database, logger: Logger) {
        self.cluster = cluster
        self.startedCluster = startedCluster
        self.appSettings = appSettings
        self.ownerSettings = ownerSettings
        self.database = database
        self.sealerDatabase = sealerDatabase
        self.logger = logger
    }

    /// The audit trail's protection rests on the app role not owning its tables (an owner may
    /// disable triggers). With an external database configured with one URL only, migrations
    /// ran as the app role: refuse that set-up plainly.
    static func checkAppRoleDoesNotOwnTheTrail(_ app: ConnectionSettings, logger: Logger) async throws {
        let owner = try await app.withConnection(logger: logger) { connection -> String? in
            let rows = try await connection.query("""
                SELECT tableowner::text FROM pg_tables WHERE tablename = 'audit_entries' AND tableowner = current_user
                """, logger: logger)
            for try await name in rows.decode(String.self) { return name }
            return nil
        }
        if let owner {
            throw ConfigurationError("""
                the application role \(owner) owns the audit tables, so it could disable their protection. Migrate \
                as a separate owner role (database.ownerUrl) and serve as a role that owns nothing (database.url).
                """)
        }
    }

    /// The app role must not be able to lift the trail's protection: not a superuser, not a
    /// member of the owner role, and holding no UPDATE, DELETE, TRUNCATE or TRIGGER on the audit
    /// tables. An external database whose roles were granted more stops start-up, naming why.
    static func checkAppRoleCannotRewriteTheTrail(_ app: ConnectionSettings, owner: String, logger: Logger) async throws {
        let reasons = try await app.withConnection(logger: logger) { connection -> [String] in
            let rows = try await connection.query("""
                SELECT current_user::text,
                       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                       current_user <> \(owner) AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = \(owner))
                           AND pg_has_role(current_user, \(owner), 'MEMBER'),
                       ARRAY(SELECT t || ' ' || p FROM unnest(ARRAY['audit_entries', 'audit_seals']) t,
                                                       unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER']) p
                             WHERE has_table_privilege(current_user, t, p)
                               AND NOT (t = 'audit_entries' AND p = 'INSERT'))
                """, logger: logger)
            var reasons: [String] = []
            for try await (user, superuser, member, privileges) in rows.decode((String, Bool, Bool, [String]).self) {
                if superuser { reasons.append("\(user) is a superuser") }
                if member { reasons.append("\(user) is a member of the owner role \(owner)") }
                if !privileges.isEmpty { reasons.append("\(user) holds \(privileges.joined(separator: ", "))") }
            }
            return reasons
        }
        if !reasons.isEmpty {
            throw ConfigurationError("""
                the application role could rewrite the audit trail (\(reasons.joined(separator: "; "))). Serve as a role \
                that holds only SELECT on the audit tables and INSERT on audit_entries (see the schema's grants to ifcd_app).
                """)
        }
    }

    /// Starts (or finds) the database and migrates it. The returned runtime's client must be run
    /// (`database.client.run()`) by the caller, as a service or in a task.
    public static func open(_ options: Options, migrations: [Migration], migrate: Bool = true, logger: Logger,
                            clientLogger: Logger? = nil) async throws -> StoreRuntime {
        var cluster: EmbeddedCluster?
        var started = false
        let app: ConnectionSettings
        let owner: ConnectionSettings
        let sealer: ConnectionSettings
        if let url = options.databaseURL, !url.isEmpty {
            app = try ConnectionSettings(url: url)
            owner = try options.ownerDatabaseURL.map { try ConnectionSettings(url: $0) } ?? app
            guard let sealerURL = options.sealerDatabaseURL, !sealerURL.isEmpty else {
                throw ConfigurationError("""
                    an external database needs database.sealerUrl: the audit seals are written by a role of their own \
                    (ifcd_sealer, LOGIN, created by the operator), never by the application role
                    """)
            }
            sealer = try ConnectionSettings(url: sealerURL)
            if !options.allowInsecureTransport, let problem = app.transportProblem ?? owner.transportProblem ?? sealer.transportProblem {
                throw ConfigurationError(problem)
            }
        } else {
            let embedded = try EmbeddedCluster(dataDir: options.dataDir, options: options.clusterOptions, logger: logger)
            let running = try await embedded.start()
            cluster = embedded
            started = running.startedHere
            app = try embedded.appSettings(port: running.port)
            owner = try embedded.ownerSettings(port: running.port)
            sealer = try embedded.sealerSettings(port: running.port)
        }
        if migrate {
            let migrator = Migrator(migrations: migrations, logger: logger)
            do {
                let applied = try await owner.withConnection(logger: logger) { try await migrator.migrate(on: $0) }
                if !applied.isEmpty { logger.info("migrated", metadata: ["applied": "\(applied.joined(separator: ", "))"]) }
            } catch {
                // Leave no postmaster behind that this process started and cannot use.
                if started, let cluster {
                    if options.holdsServeLock { try? cluster.stop() } else { try? cluster.stopIfUnused() }
                }
                throw error
            }
        }
        if migrate {
            try await checkAppRoleDoesNotOwnTheTrail(app, logger: logger)
            try await checkAppRoleCannotRewriteTheTrail(app, owner: owner.username, logger: logger)
        }
        let client = PostgresClient(configuration: try app.clientConfiguration(maximumConnections: options.poolSize),
                                    backgroundLogger: clientLogger ?? logger)
        let database = Database(client: client, maximumConnections: options.poolSize, acquireTimeout: options.acquireTimeout, logger: logger)
        let sealerClient = PostgresClient(configuration: try sealer.clientConfiguration(maximumConnections: 2),
                                          backgroundLogger: clientLogger ?? logger)
        let sealerDatabase = Database(client: sealerClient, maximumConnections: 2, acquireTimeout: .seconds(30), logger: logger)
        return StoreRuntime(cluster: cluster, startedCluster: started, appSettings: app, ownerSettings: owner,
                            database: database, sealerDatabase: sealerDatabase, logger: logger)
    }
}
