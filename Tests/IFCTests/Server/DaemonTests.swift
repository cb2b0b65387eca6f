import Foundation
import IFCCore
@testable import IFCStore
import PostgresNIO
import Testing

/// The embedded cluster's life cycle through the real `ifcd` executable.
@Suite("ifcd daemon and its embedded cluster", .serialized)
struct DaemonTests {
    static let password = "correct horse battery staple\n"

    struct Folder {
        let dir: URL
        let binary: IFCDBinary
        var args: [String] { ["--data-dir", dir.path] }
        var cluster: EmbeddedCluster { get throws { try EmbeddedCluster(dataDir: dir, logger: TestCluster.logger) } }

        func postmasterPID() -> pid_t? {
            guard let text = try? String(contentsOf: dir.appendingPathComponent("pgdata/postmaster.pid"), encoding: .utf8) else { return nil }
            return text.split(separator: "\n").first.flatMap { pid_t($0) }
        }

        func ifcd(_ arguments: [String], stdin: String? = nil) async throws -> IFCDBinary.Output {
            try await binary.run(arguments + args, stdin: stdin)
        }

        func serve(port: Int) throws -> SpawnedProcess {
            try binary.spawn(["serve", "--port", "\(port)"] + args, environment: ["IFCD_LOG_LEVEL": "warning"])
        }

        /// A folder with an admin and a token for it.
        static func make() async throws -> (Folder, String) {
            let folder = Folder(dir: URL(fileURLWithPath: "/tmp/ifcd-e2e-\(UUID().uuidString.prefix(8).lowercased())"), binary: try .find())
            let added = try await folder.ifcd(["user", "add", "admin", "--role", "admin", "--password-stdin"], stdin: password)
            #expect(added.status == 0, "user add: \(added.stderr)")
            let issued = try await folder.ifcd(["token", "issue", "admin", "--ttl", "1h"])
            #expect(issued.status == 0, "token issue: \(issued.stderr)")
            let token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("ifcd_") && !token.contains("\n"))
            return (folder, token)
        }

        func remove() {
            if let cluster = try? cluster { try? cluster.stop() }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    @Test("fresh data folder: CLI first start, serve, ready, CLI beside serve, clean stop, audit verify")
    func freshFolder() async throws {
        let (folder, token) = try await Folder.make()
        defer { folder.remove() }
        // The CLI started the cluster for its own use and stopped it again.
        #expect(try folder.cluster.runningPort() == nil)
        let port = try Posix.freeLoopbackPort()
        let serve = try folder.serve(port: port)
        #expect(await LoopbackHTTP.waitUntilReady(port: port), "serve never became ready: \(serve.stderr)\(serve.stdout)")
        let me = LoopbackHTTP.get(port: port, path: "/v1/me", token: token)
        #expect(me?.status == 200)
        #expect(me?.body.contains("\"admin\"") == true)
        #expect(LoopbackHTTP.get(port: port, path: "/v1/me")?.status == 401)
        // Every command works while serve runs, on the same cluster, and leaves it running.
        let listed = try await folder.ifcd(["user", "list"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("admin"))
        #expect(try folder.cluster.runningPort() != nil)
        serve.signal(SIGTERM)
        #expect(await serve.wait() == 0)
        #expect(try folder.cluster.runningPort() == nil, "serve must stop the cluster it ran")
        let verified = try await folder.ifcd(["audit", "verify"])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.hasPrefix("ok "))
        #expect(verified.stdout.contains("entries"))
        // serve signed a checkpoint of the chain's head (a last one at stop) with a key of its own.
        let exported = try await folder.ifcd(["audit", "checkpoint", "export"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains("\"signature\""))
        let keyMode = try FileManager.default.attributesOfItem(atPath: folder.dir.appendingPathComponent("keys/checkpoint.key").path)[.posixPermissions] as? Int
        #expect(keyMode == 0o400)
        let sealKeyMode = try FileManager.default.attributesOfItem(atPath: folder.dir.appendingPathComponent("keys/seal.key").path)[.posixPermissions] as? Int
        #expect(sealKeyMode == 0o400)
        // Nothing in the data folder can be read by another user: no file or folder that others
        // can reach (every folder above it searchable by them) is readable by them.
        #expect(try Self.readableByOthers(folder.dir) == [], "readable by other users")
        let saved = "/tmp/ifcd-checkpoint-\(UUID().uuidString.prefix(8)).json"
        FileManager.default.createFile(atPath: saved, contents: Data(exported.stdout.utf8))
        defer { try? FileManager.default.removeItem(atPath: saved) }
        let reached = try await folder.ifcd(["audit", "verify", "--checkpoint", saved])
        #expect(reached.status == 0, "\(reached.stderr)\(reached.stdout)")
        #expect(reached.stdout.contains("reaching checkpoint position"))
        // A checkpoint edited after signing proves nothing: refused.
        FileManager.default.createFile(atPath: saved, contents: Data(exported.stdout.replacingOccurrences(of: "\"position\" : ", with: "\"position\" : 1").utf8))
        #expect(try await folder.ifcd(["audit", "verify", "--checkpoint", saved]).status == 2)
    }

    @Test("restart after kill -9: the running postmaster is reused, never a second one; data intact")
    func restartAfterKill() async throws {
        let (folder, token) = try await Folder.make()
        defer { folder.remove() }
        let port = try Posix.freeLoopbackPort()
        let first = try folder.serve(port: port)
        #expect(await LoopbackHTTP.waitUntilReady(port: port), "first serve: \(first.stdout)")
        let postmaster = try #require(folder.postmasterPID())
        // A second serve on the same folder is refused while the first runs.
        let rival = try await folder.ifcd(["serve", "--port", "\(try Posix.freeLoopbackPort())"])
        #expect(rival.status == 1)
        #expect((rival.stdout + rival.stderr).contains("another ifcd serve"))
        first.signal(SIGKILL)
        #expect(await first.wait() == 128 + SIGKILL)
        #expect(Posix.processExists(postmaster), "the postmaster outlives a killed ifcd")
        let second = try folder.serve(port: port)
        #expect(await LoopbackHTTP.waitUntilReady(port: port), "second serve: \(second.stdout)")
        #expect(folder.postmasterPID() == postmaster, "the running postmaster was reused")
        #expect(LoopbackHTTP.get(port: port, path: "/v1/me", token: token)?.status == 200)
        second.signal(SIGINT)
        #expect(await second.wait() == 0)
        #expect(!Posix.processExists(postmaster) || folder.postmasterPID() == nil)
    }

    @Test("restart after kill -9 of the daemon and the postmaster: PostgreSQL recovers, data intact")
    func restartAfterCrashOfBoth() async throws {
        let (folder, token) = try await Folder.make()
        defer { folder.remove() }
        let port = try Posix.freeLoopbackPort()
        let first = try folder.serve(port: port)
        #expect(await LoopbackHTTP.waitUntilReady(port: port))
        let postmaster = try #require(folder.postmasterPID())
        first.signal(SIGKILL)
        _ = await first.wait()
        kill(postmaster, SIGKILL)
        let second = try folder.serve(port: port)
        #expect(await LoopbackHTTP.waitUntilReady(port: port), "after a crash: \(second.stdout)")
        #expect(folder.postmasterPID() != postmaster)
        #expect(LoopbackHTTP.get(port: port, path: "/v1/me", token: token)?.status == 200)
        second.signal(SIGTERM)
        #expect(await second.wait() == 0)
        let verified = try await folder.ifcd(["audit", "verify"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    /// Paths under `root` that other users can read: readable by others, with every folder from
    /// `root` down to it searchable by others.
    static func readableByOthers(_ root: URL) throws -> [String] {
        var found: [String] = []
        func mode(_ path: String) throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? 0 }
        func walk(_ dir: String) throws {
            guard try mode(dir) & 0o001 != 0 else { return }  // others cannot pass this folder
            for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
                let path = dir + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                if try mode(path) & 0o004 != 0 { found.append(path) }
                if isDirectory.boolValue { try walk(path) }
            }
        }
        if try mode(root.path) & 0o004 != 0 { found.append(root.path) }
        try walk(root.path)
        return found
    }

    @Test("ifcd audit verify exits 1 naming the first broken sequence")
    func verifyCLIFindsTampering() async throws {
        let (folder, _) = try await Folder.make()
        defer { folder.remove() }
        #expect(try await folder.ifcd(["audit", "verify"]).status == 0)
        let cluster = try folder.cluster
        let running = try await cluster.start()
        try await cluster.ownerSettings(port: running.port).withConnection(logger: TestCluster.logger) { connection in
            try await connection.query("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only", logger: TestCluster.logger)
            try await connection.query("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 1", logger: TestCluster.logger)
            try await connection.query("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only", logger: TestCluster.logger)
        }
        try cluster.stop()
        let verified = try await folder.ifcd(["audit", "verify"])
        #expect(verified.status == 1)
        // Entry 1's seal is named: alone in its run, or with the run it was sealed in.
        #expect(verified.stdout.hasPrefix("broken at sequence 1:") || verified.stdout.hasPrefix("broken at sequences 1-"),
                "\(verified.stdout)\(verified.stderr)")
    }

    @Test("a changed migration stops serve with a clear message and leaves no postmaster")
    func changedMigrationStopsServe() async throws {
        let (folder, _) = try await Folder.make()
        defer { folder.remove() }
        // The shipped schema, with the first file edited after it was applied.
        let schema = folder.dir.appendingPathComponent("schema-edited")
        try FileManager.default.createDirectory(at: schema, withIntermediateDirectories: true)
        for migration in try Migration.bundled() {
            let sql = migration.version == 1 ? migration.sql + "\n-- edited after release\n" : migration.sql
            try Data(sql.utf8).write(to: schema.appendingPathComponent(migration.fileName))
        }
        let serve = try folder.binary.spawn(["serve", "--port", "\(try Posix.freeLoopbackPort())"] + folder.args,
                                            environment: ["IFCD_SCHEMA_DIR": schema.path])
        #expect(await serve.wait() == 1)
        #expect(serve.stdout.contains("changed after it was applied"), "\(serve.stdout)\(serve.stderr)")
        #expect(try folder.cluster.runningPort() == nil)
    }

    @Test("serve exits non-zero when the server cannot run (its port is taken), and stops its cluster")
    func serveFailureExitsNonZero() async throws {
        let (folder, _) = try await Folder.make()
        defer { folder.remove() }
        // A listener this test holds on the loopback port serve is told to use: its bind fails.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 1) == 0, "errno \(errno)")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let serve = try folder.binary.spawn(["serve", "--host", "127.0.0.1", "--port", "\(port)"] + folder.args)
        let status = await serve.wait()
        #expect(status == 1, "serve with its port taken exited \(status): \(serve.stdout)\(serve.stderr)")
        #expect(serve.stdout.contains("server failed"), "\(serve.stdout)\(serve.stderr)")
        #expect(try folder.cluster.runningPort() == nil, "a failed serve still stops the cluster it ran")
    }

    @Test("a command leaves the cluster running while another command still uses it; the last one out stops it")
    func lastCommandOutStopsTheCluster() async throws {
        let (folder, _) = try await Folder.make()
        defer { folder.remove() }
        let cluster = try folder.cluster
        _ = try await cluster.start()
        let other = try ClientLock.acquire(dataDir: folder.dir)
        let listed = try await folder.ifcd(["user", "list"])
        #expect(listed.status == 0)
        #expect(cluster.runningPort() != nil, "another command still uses the cluster")
        other.release()
        let again = try await folder.ifcd(["user", "list"])
        #expect(again.status == 0)
        #expect(cluster.runningPort() == nil, "the last command out stops it")
    }

    @Test("ifcd import firearms: exit 1 and each invalid row listed when some rows are bad; a re-run imports nothing")
    func importCommand() async throws {
        let (folder, _) = try await Folder.make()
        defer { folder.remove() }
        let file = folder.dir.appendingPathComponent("firearms.csv")
        try Data("make,type,calibre,serial\nGlock,pistol,9mm,A100\nGlock,laser,9mm,A101\nColt,revolver,.38,C7\n".utf8).write(to: file)
        let first = try await folder.ifcd(["import", "firearms", file.path])
        #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("imported 2 of 3 rows"), "\(first.stdout)")
        #expect(first.stdout.contains("line 3, type:"), "\(first.stdout)")
        let dry = try await folder.ifcd(["import", "firearms", "--dry-run", file.path])
        #expect(dry.stdout.contains("would import 0 of 3 rows; 2 already registered"), "\(dry.stdout)")
        let missing = try await folder.ifcd(["import", "firearms", "/nonexistent.csv"])
        #expect(missing.status != 0)
    }
}
