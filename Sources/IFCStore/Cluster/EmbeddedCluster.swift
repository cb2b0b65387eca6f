import Crypto
import Foundation
import IFCCore
import Logging
import PostgresNIO

/// Runs ifcd's own PostgreSQL cluster in a data folder it owns, when no database URL is
/// configured: `initdb` when absent, start on a private Unix socket (named after a free port;
/// no TCP unless configured), create the owner and application roles, stop on request.
///
/// Layout of the data folder:
///   pgdata/        the cluster (owned by `postgres` when ifcd runs as root)
///   run/           the Unix socket directory, mode 0700
///   secrets.json   generated passwords of the three database roles, mode 0600
///   log/           the server log, postgres.log
///   cluster.lock   serialises start and stop between ifcd processes
///   serve.lock     held by a running `ifcd serve`
public final class EmbeddedCluster: Sendable {
    public static let superuser = "ifcd_super"
    public static let ownerRole = "ifcd_owner"
    public static let appRole = "ifcd_app"
    /// Writes the audit trail's seals, and reads entries; nothing else (see Schema's audit_sealer).
    public static let sealerRole = "ifcd_sealer"
    public static let databaseName = "ifcd"

    public struct Options: Sendable {
        /// Extra `postgres -c` settings, e.g. `fsync=off` for throwaway test clusters.
        public var settings: [String: String] = [:]
        /// Listen on loopback TCP (127.0.0.1) besides the private Unix socket
        /// (`database.embeddedListenLoopback`); off by default: the socket only.
        public var listenOnLoopback = false
        public init(settings: [String: String] = [:], listenOnLoopback: Bool = false) {
            self.settings = settings
            self.listenOnLoopback = listenOnLoopback
        }

        /// `listen_addresses` as postgresql.conf writes it.
        var listenAddresses: String { listenOnLoopback ? "'127.0.0.1'" : "''" }

        public static let durable = Options()
        /// For tests only: loses data on a crash of the machine, never on a crash of ifcd.
        public static let throwaway = Options(settings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"])
    }

    struct Secrets: Codable {
        var superuser: String
        var owner: String
        var app: String
        /// Absent in folders made before the sealer had its own role: then derived from the
        /// superuser's secret (one-way), so no process ever rewrites this file.
        var sealer: String?

        var sealerPassword: String {
            sealer ?? Data(SHA256.hash(data: Data(("ifcd-sealer\n" + superuser).utf8))).map { String(format: "%02x", $0) }.joined()
        }
    }

    public let dataDir: URL
    public let options: Options
    let logger: Logger
    let binDir: URL
    let runner: ProcessRunner
    let postgresIDs: (uid: uid_t, gid: gid_t)?

    var pgdata: URL { dataDir.appendingPathComponent("pgdata") }
    var runDir: URL { dataDir.appendingPathComponent("run") }
    var secretsURL: URL { dataDir.appendingPathComponent("secrets.json") }
    var logDir: URL { dataDir.appendingPathComponent("log") }
    var logURL: URL { logDir.appendingPathComponent("postgres.log") }
    var clusterLockPath: String { dataDir.appendingPathComponent("cluster.lock").path }
    public var serveLockPath: String { dataDir.appendingPathComponent("serve.lock").path }

    public init(dataDir: URL, options: Options = .durable, logger: Logger) throws {
        self.dataDir = dataDir.standardizedFileURL
        self.options = options
        self.logger = logger
        self.binDir = try Self.findBinaries()
        if Posix.isRoot {
            guard let ids = Posix.ids(ofUser: "postgres") else {
                throw ConfigurationError("""
                    ifcd runs as root, and PostgreSQL refuses to: it runs its cluster as the 'postgres' user, \
                    which does not exist here. Install the server package (apt-get install postgresql) or create the user.
                    """)
            }
            self.postgresIDs = ids
            self.runner = ProcessRunner(runAsUser: "postgres")
        } else {
            self.postgresIDs = nil
            self.runner = ProcessRunner(runAsUser: nil)
        }
    }

    /// Finds `initdb`, `pg_ctl` and `postgres` in `IFCD_PG_BIN`, `PATH` or `/usr/lib/postgresql/*/bin`.
    public static func findBinaries() throws -> URL {
        let fm = FileManager.default
        func complete(_ dir: String) -> Bool {
            ["initdb", "pg_ctl", "postgres"].allSatisfy { fm.isExecutableFile(atPath: "\(dir)/\($0)") }
        }
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["IFCD_PG_BIN"], !explicit.isEmpty {
            guard complete(explicit) else {
                throw ConfigurationError("IFCD_PG_BIN=\(explicit) does not hold initdb, pg_ctl and postgres")
            }
            return URL(fileURLWithPath: explicit)
        }
        for dir in (env["PATH"] ?? "").split(separator: ":").map(String.init) where complete(dir) {
            return URL(fileURLWithPath: dir)
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        for version in versions where complete("/usr/lib/postgresql/\(version)/bin") {
            return URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
        }
        throw ConfigurationError("""
            No database is configured and the PostgreSQL server binaries (initdb, pg_ctl, postgres) were not \
            found in IFCD_PG_BIN, PATH or /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: \
            apt-get install postgresql postgresql-contrib; Fedora: dnf install postgresql-server postgresql-contrib; \
            macOS: brew install postgresql@15), or set IFCD_DATABASE_URL to an existing PostgreSQL.
            """)
    }

    // MARK: - Start and stop

    public struct Running: Sendable {
        /// The port the postmaster listens on (loopback) and names its socket after.
        public let port: Int
        /// True when this call started the postmaster; false when it found one running.
        public let startedHere: Bool
    }

    /// Makes sure the cluster exists and runs. A postmaster left by a killed ifcd is reused; a stale
    /// `postmaster.pid` (its process gone) is cleaned up by PostgreSQL itself on start. Never a
    /// second postmaster on the folder: `pg_ctl` and the postmaster's own lock file refuse that.
    public func start() async throws -> Running {
        try prepareFolders()
        let lock = try FileLock.acquire(clusterLockPath)
        defer { lock.release() }
        if !FileManager.default.fileExists(atPath: pgdata.appendingPathComponent("PG_VERSION").path) {
            try initdb()
        }
        try writeListenAddresses()
        if let port = runningPort() {
            logger.info("reusing running PostgreSQL", metadata: ["port": "\(port)", "pgdata": "\(pgdata.path)"])
            // A process killed between initdb and the roles leaves a running, unbootstrapped cluster.
            try await bootstrapRolesIfNeeded(port: port)
            try await createSealerRoleIfNeeded(port: port)
            return Running(port: port, startedHere: false)
        }
        var lastOutput = ""
        // A postmaster killed with -9 leaves backends that exit within moments; its shared memory
        // blocks a new start until they have. Retry a few times, bounded.
        for attempt in 1...6 {
            // A fresh port each attempt: the last one may have been taken meanwhile.
            var settings = options.settings
            settings["port"] = "\(try Posix.freeLoopbackPort())"
            // The socket only unless configured (pg_ctl passes this through a shell: '' is empty).
            settings["listen_addresses"] = options.listenAddresses
            let opts = settings.sorted(by: { $0.key < $1.key }).map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
            let result = try runner.run(binDir.appendingPathComponent("pg_ctl").path, [
                "start", "-w", "-t", "60", "-D", pgdata.path, "-l", logURL.path, "-o", opts,
            ])
            if result.status == 0, let running = runningPort() {
                logger.info("started PostgreSQL", metadata: ["port": "\(running)", "pgdata": "\(pgdata.path)"])
                do {
                    try await bootstrapRolesIfNeeded(port: running)
                    try await createSealerRoleIfNeeded(port: running)
                } catch {
                    // Leave no postmaster behind that nobody can use.
                    _ = try? runner.run(binDir.appendingPathComponent("pg_ctl").path, ["stop", "-w", "-t", "60", "-m", "fast", "-D", pgdata.path])
                    throw error
                }
                return Running(port: running, startedHere: true)
            }
            lastOutput = result.output + "\n" + tail(of: logURL, lines: 15)
            logger.warning("PostgreSQL did not start", metadata: ["attempt": "\(attempt)", "output": "\(lastOutput)"])
            // Only a lingering shared memory block or lock file is worth waiting for.
            guard lastOutput.contains("shared memory") || lastOutput.contains("lock file") || lastOutput.contains("already") else { break }
            try await Task.sleep(for: .milliseconds(500 * attempt))
        }
        throw ConfigurationError("PostgreSQL in \(pgdata.path) did not start:\n\(lastOutput)")
    }

    /// Brings `listen_addresses` in postgresql.conf to what is configured, so that a cluster made
    /// before the socket-only default (or a change of the setting) follows it from this start on,
    /// however the postmaster is next started. A postmaster already running keeps its sockets
    /// until it restarts.
    func writeListenAddresses() throws {
        let url = pgdata.appendingPathComponent("postgresql.conf")
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let wanted = "listen_addresses = \(options.listenAddresses)"
        // The last uncommented setting wins in postgresql.conf: ours is appended by initdb().
        guard let index = lines.lastIndex(where: { $0.hasPrefix("listen_addresses") }) else {
            lines.append(wanted)
            return try write()
        }
        guard lines[index] != wanted else { return }
        logger.info("embedded PostgreSQL listen_addresses changed", metadata: ["from": "\(lines[index])", "to": "\(wanted)"])
        lines[index] = wanted
        try write()

        func write() throws {
            try Data(lines.joined(separator: "\n").utf8).write(to: url)
            if let ids = postgresIDs { try Posix.chown(url.path, ids) }
        }
    }

    /// Stops the cluster unless an `ifcd serve` or another CLI command uses this data folder.
    public func stopIfUnused() throws {
        guard let serveLock = try FileLock.tryAcquire(serveLockPath) else { return }
        defer { serveLock.release() }
        guard let clients = try FileLock.tryAcquire(ClientLock.path(dataDir: dataDir)) else { return }
        defer { clients.release() }
        try stop()
    }

    /// Fast shutdown: aborts open transactions, writes a checkpoint, exits cleanly.
    public func stop() throws {
        let lock = try FileLock.acquire(clusterLockPath)
        defer { lock.release() }
        guard runningPort() != nil else { return }
        let result = try runner.run(binDir.appendingPathComponent("pg_ctl").path, ["stop", "-w", "-t", "60", "-m", "fast", "-D", pgdata.path])
        if result.status != 0 && runningPort() != nil {
            throw ConfigurationError("pg_ctl stop failed: \(result.output)")
        }
        logger.info("stopped PostgreSQL", metadata: ["pgdata": "\(pgdata.path)"])
    }

    /// The port of a live postmaster on this folder, from `postmaster.pid`; nil when none runs.
    public func runningPort() -> Int? {
        guard let text = try? String(contentsOf: pgdata.appendingPathComponent("postmaster.pid"), encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 8, let pid = pid_t(lines[0].trimmingCharacters(in: .whitespaces)),
              let port = Int(lines[3].trimmingCharacters(in: .whitespaces)) else { return nil }
        guard Posix.isLivePostgres(pid) else { return nil }
        // "ready" once the postmaster accepts connections; "starting"/"stopping" otherwise.
        guard lines[7].trimmingCharacters(in: .whitespaces) == "ready" else { return nil }
        guard FileManager.default.fileExists(atPath: socketPath(port: port)) else { return nil }
        return port
    }

    // MARK: - Connections

    public func socketPath(port: Int) -> String {
        runDir.appendingPathComponent(".s.PGSQL.\(port)").path
    }

    func secrets() throws -> Secrets {
        let data = try Data(contentsOf: secretsURL)
        return try JSONDecoder().decode(Secrets.self, from: data)
    }

    public func superuserSettings(port: Int, database: String = "postgres") throws -> ConnectionSettings {
        ConnectionSettings(endpoint: .unixSocket(path: socketPath(port: port)), username: Self.superuser,
                           password: try secrets().superuser, database: database)
    }

    public func ownerSettings(port: Int, database: String = EmbeddedCluster.databaseName) throws -> ConnectionSettings {
        ConnectionSettings(endpoint: .unixSocket(path: socketPath(port: port)), username: Self.ownerRole,
                           password: try secrets().owner, database: database)
    }

    public func appSettings(port: Int, database: String = EmbeddedCluster.databaseName) throws -> ConnectionSettings {
        ConnectionSettings(endpoint: .unixSocket(path: socketPath(port: port)), username: Self.appRole,
                           password: try secrets().app, database: database)
    }

    public func sealerSettings(port: Int, database: String = EmbeddedCluster.databaseName) throws -> ConnectionSettings {
        ConnectionSettings(endpoint: .unixSocket(path: socketPath(port: port)), username: Self.sealerRole,
                           password: try secrets().sealerPassword, database: database)
    }
}
