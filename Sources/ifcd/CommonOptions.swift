import ArgumentParser
import Foundation
import IFCCore
import IFCServer
import IFCStore
import Logging
import PostgresNIO

/// `--data-dir` and `--config`, taken by every command, so that each finds the same database
/// whether or not `serve` is running.
struct CommonOptions: ParsableArguments {
    @Option(help: "The data folder of the embedded PostgreSQL cluster (default ./.ifcd, or data.dir from the config).")
    var dataDir: String?

    @Option(help: "A JSON config file (see Config/ifcd.example.json). IFCD_* environment variables override it.")
    var config: String?

    func load() async throws -> AppConfig {
        var config = try await AppConfig.load(file: self.config)
        if let dataDir { config.dataDir = dataDir }
        return config
    }
}

enum Logs {
    /// `serve` logs JSON to stdout; other commands log warnings to stderr, keeping stdout for
    /// their output (a token, a report).
    static func bootstrap(serve: Bool, config: AppConfig) -> Logger {
        let level = serve ? (Logger.Level(rawValue: config.logLevel) ?? .info) : .warning
        LoggingSystem.bootstrap { label in
            if serve && config.logFormat == "json" { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "ifcd")
    }
}

/// Opens the store for a one-off command: starts the embedded cluster when none runs, migrates,
/// runs `body`, seals the audit entries it wrote, and stops the cluster when it is the last
/// command using it and no `ifcd serve` holds the folder.
func withStore<T: Sendable>(_ config: AppConfig, logger: Logger,
                            _ body: @Sendable (StoreRuntime) async throws -> T) async throws -> T {
    // While this command runs, the cluster is in use: other commands leave it running.
    let clientLock = try config.databaseURL == nil ? ClientLock.acquire(dataDir: URL(fileURLWithPath: config.dataDir)) : nil
    // The pool's own chatter (e.g. a lease queued while its run loop starts) is not for the operator.
    var quiet = logger
    quiet.logLevel = .error
    let runtime: StoreRuntime
    do {
        runtime = try await StoreRuntime.open(config.storeOptions, migrations: try Migration.bundled(), logger: logger,
                                              clientLogger: quiet)
    } catch {
        clientLock?.release()
        if config.databaseURL == nil {
            try? EmbeddedCluster(dataDir: URL(fileURLWithPath: config.dataDir), logger: logger).stopIfUnused()
        }
        throw error
    }
    let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { group in
        group.addTask { await runtime.database.client.run() }
        group.addTask { await runtime.sealerDatabase.client.run() }
        let result: Result<T, any Error>
        do {
            let value = try await body(runtime)
            try await AuditSealer(database: runtime.sealerDatabase, key: try config.sealKey(create: true), logger: logger).sealAll()
            result = .success(value)
        } catch {
            result = .failure(error)
        }
        group.cancelAll()
        return result
    }
    // The last command out stops a cluster that no serve holds.
    clientLock?.release()
    if let cluster = runtime.cluster {
        try cluster.stopIfUnused()
    }
    return try result.get()
}

/// The CLI operator as audit entries name them.
var cliPrincipal: Principal {
    Principal.cli(osUser: operatingSystemUser())
}

/// Parses `90s`, `30m`, `8h`, `7d` or plain seconds.
func parseDuration(_ text: String) -> TimeInterval? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
    if let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value > 0 { return value * factor }
    if let value = Double(text), value > 0 { return value }
    return nil
}

/// A problem or configuration error, said plainly on stderr with a non-zero exit.
struct Failure: Error, CustomStringConvertible {
    let description: String
}

func describe(_ error: any Error) -> String {
    switch error {
    case let problem as any ProblemConvertible: problem.problem.detail
    case let error as ConfigurationError: error.description
    case let error as MigrationError: error.description
    case let error as PSQLError:
        // The server's own words, or the connection failure; never the bind values.
        error.serverInfo?[.message].map { "PostgreSQL: \($0)" } ?? "PostgreSQL connection failed: \(error.code)"
    default: String(describing: error)
    }
}

/// The operating-system user running the command, as the OS says (the real user id's account
/// name), never an environment variable that anyone can set (`USER`, `SUDO_USER`).
func operatingSystemUser() -> String {
    let uid = getuid()
    if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
        return String(cString: name)
    }
    return "uid\(uid)"
}
