import ArgumentParser
import Foundation
import Hummingbird
import IFCServer
import IFCStore
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API (and the embedded PostgreSQL when no database is configured).")

    @OptionGroup var common: CommonOptions
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on.") var port: Int?

    func run() async throws {
        var config = try await common.load()
        if let host { config.host = host }
        if let port { config.port = port }
        try config.validate()
        let logger = Logs.bootstrap(serve: true, config: config)
        do {
            try await serve(config, logger: logger)
        } catch {
            logger.critical("ifcd stopped", metadata: ["error": "\(describe(error))"])
            throw ExitCode(1)
        }
    }

    private func serve(_ config: AppConfig, logger: Logger) async throws {
        let embedded = config.databaseURL == nil
        var serveLock: ServeLock?
        if embedded {
            serveLock = try ServeLock.acquire(dataDir: URL(fileURLWithPath: config.dataDir))
        }
        defer { serveLock?.release() }
        var options = config.storeOptions
        options.holdsServeLock = embedded
        let runtime = try await StoreRuntime.open(options, migrations: try Migration.bundled(), logger: logger)
        var context = AppContext(config: config, database: runtime.database, migrations: try Migration.bundled(), logger: logger)
        context.checkpoints = config.checkpointFiles
        context.sealerDatabase = runtime.sealerDatabase
        context.sealKey = try config.sealKey(create: true)
        let (app, _) = try buildApplication(context) { channel in
            logger.info("ifcd is serving", metadata: ["address": "\(channel.localAddress?.description ?? "-")",
                                                      "database": "\(embedded ? "embedded in \(config.dataDir)" : "configured")"])
        }
        // The embedded cluster belongs to this folder's serve: stop it after requests drained, and
        // also when the server failed (a port taken, a fatal service error), but then still rethrow
        // so that the process exits 1 and systemd's `Restart=on-failure` restarts it.
        do {
            try await app.runService()
        } catch {
            logger.error("server failed", metadata: ["error": "\(String(reflecting: error))"])
            if let cluster = runtime.cluster {
                do {
                    try cluster.stop()
                } catch let stopError {
                    logger.error("cannot stop the embedded cluster", metadata: ["error": "\(String(reflecting: stopError))"])
                }
            }
            throw error
        }
        if let cluster = runtime.cluster {
            try cluster.stop()
        }
    }
}
