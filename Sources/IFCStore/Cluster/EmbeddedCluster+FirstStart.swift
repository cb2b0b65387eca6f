import Crypto
import Foundation
import IFCCore
import Logging
import PostgresNIO

extension EmbeddedCluster {
    // MARK: - First start

    func prepareFolders() throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dataDir, withIntermediateDirectories: true,
                               attributes: [.posixPermissions: Posix.isRoot ? 0o711 : 0o700])
        if socketPath(port: 65535).utf8.count > 100 {
            throw ConfigurationError("the data folder path \(dataDir.path) is too long for a Unix socket; choose a shorter --data-dir")
        }
        for dir in [pgdata, runDir, logDir] where !fm.fileExists(atPath: dir.path) {
            try fm.createDirectory(at: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            if let ids = postgresIDs { try Posix.chown(dir.path, ids) }
        }
        if postgresIDs != nil {
            let probe = try ProcessRunner(runAsUser: "postgres").run("/usr/bin/test", ["-w", pgdata.path])
            if probe.status != 0 {
                throw ConfigurationError("""
                    the 'postgres' user cannot reach \(pgdata.path): every folder above the data folder must be \
                    traversable by it (chmod o+x), or choose --data-dir elsewhere (for example under /var/lib).
                    """)
            }
        }
    }

    func initdb() throws {
        let secrets = Secrets(superuser: Self.randomSecret(), owner: Self.randomSecret(), app: Self.randomSecret(),
                              sealer: Self.randomSecret())
        let secretsData = try JSONEncoder().encode(secrets)
        // Created 0600 by open(2) itself: no window in which another user could read them.
        try PrivateFile.write(secretsData, to: secretsURL.path, mode: 0o600)
        let pwfile = runDir.appendingPathComponent("pwfile")
        try PrivateFile.write(Data((secrets.superuser + "\n").utf8), to: pwfile.path, mode: 0o600)
        if let ids = postgresIDs { try Posix.chown(pwfile.path, ids) }
        defer { try? FileManager.default.removeItem(at: pwfile) }
        logger.info("creating PostgreSQL cluster", metadata: ["pgdata": "\(pgdata.path)"])
        let result = try runner.run(binDir.appendingPathComponent("initdb").path, [
            "-D", pgdata.path, "-U", Self.superuser, "--pwfile", pwfile.path,
            "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--data-checksums",
        ])
        guard result.status == 0 else { throw ConfigurationError("initdb failed:\n\(result.output)") }
        // Only the private socket (and loopback when configured), only with passwords.
        let conf = """

            # ifcd: private socket only (loopback too with database.embeddedListenLoopback)
            listen_addresses = \(options.listenAddresses)
            unix_socket_directories = '\(runDir.path)'
            unix_socket_permissions = 0700
            max_connections = 200
            shared_buffers = 256MB
            password_encryption = 'scram-sha-256'
            log_min_messages = warning
            log_line_prefix = '%m [%p] %u@%d '

            """
        let handle = try FileHandle(forWritingTo: pgdata.appendingPathComponent("postgresql.conf"))
        handle.seekToEndOfFile()
        handle.write(Data(conf.utf8))
        try handle.close()
        let hba = """
            # ifcd: passwords over the private socket and loopback; nothing else.
            local all all scram-sha-256
            host  all all 127.0.0.1/32 scram-sha-256

            """
        try Data(hba.utf8).write(to: pgdata.appendingPathComponent("pg_hba.conf"))
        if let ids = postgresIDs {
            try Posix.chown(pgdata.appendingPathComponent("pg_hba.conf").path, ids)
        }
    }

    static func randomSecret() -> String {
        AppEnvironment.live.randomBytes(24).hexString
    }

    func tail(of url: URL, lines: Int) -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
