import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the PostgreSQL tools. As root it runs them as the `postgres` user (the server refuses
/// to run as root), through `runuser`.
struct ProcessRunner: Sendable {
    let runAsUser: String?

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs the tool to completion and returns its exit status and combined output.
    ///
    /// Spawns with `posix_spawn` and reaps with `waitpid` rather than Foundation's `Process`: on
    /// Linux, `Process` learns of the child's exit through a descriptor the child inherits, and
    /// the postmaster that `pg_ctl start` leaves behind would hold it open forever.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        var argv: [String]
        let path: String
        if let user = runAsUser {
            path = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
                .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/sbin/runuser"
            argv = [path, "-u", user, "--", executable] + arguments
        } else {
            path = executable
            argv = [executable] + arguments
        }
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        env.removeValue(forKey: "PGDATA")
        for (key, value) in environment { env[key] = value }

        // Output goes to a file, not a pipe: a postmaster started by pg_ctl keeps its inherited
        // descriptors, and a pipe would never reach end-of-file.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("ifcd-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard outputFD >= 0 else { throw ConfigurationError("cannot create \(outputPath): errno \(errno)") }
        defer { close(outputFD) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw ConfigurationError("cannot run \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ConfigurationError("waitpid failed for \(path): errno \(errno)") }
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Result(status: exitStatus, output: output)
    }
}

enum Posix {
    static var isRoot: Bool { geteuid() == 0 }

    static var currentUserName: String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid\(geteuid())"
    }

    static func ids(ofUser name: String) -> (uid: uid_t, gid: gid_t)? {
        guard let pw = getpwnam(name) else { return nil }
        return (pw.pointee.pw_uid, pw.pointee.pw_gid)
    }

    static func chown(_ path: String, _ ids: (uid: uid_t, gid: gid_t)) throws {
        if Glibc.chown(path, ids.uid, ids.gid) != 0 { throw ConfigurationError("cannot chown \(path): errno \(errno)") }
    }

    static func processExists(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// True when `pid` is a live (not zombie) PostgreSQL server process. A postmaster killed a
    /// moment ago stays a zombie until reaped, and its pid may later be reused by another
    /// program; `kill(pid, 0)` alone would take either for a running server.
    static func isLivePostgres(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
            // No procfs (macOS): fall back to existence.
            return FileManager.default.fileExists(atPath: "/proc/self/stat") ? false : processExists(pid)
        }
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return false }
        let command = stat[stat.index(after: open)..<close]
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return command.hasPrefix("postgres") && state != "Z" && state != "X"
    }

    /// A free TCP port on the loopback interface, chosen by the kernel.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConfigurationError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ConfigurationError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ConfigurationError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// An exclusive `flock` on a file in the data folder, released on close or process death.
final class FileLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Blocks until the lock is held (shared: with other shared holders).
    static func acquire(_ path: String, shared: Bool = false) throws -> FileLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot open lock file \(path): errno \(errno)") }
        while flock(fd, shared ? LOCK_SH : LOCK_EX) != 0 {
            if errno != EINTR { close(fd); throw ConfigurationError("cannot lock \(path): errno \(errno)") }
        }
        return FileLock(fd: fd)
    }

    /// Returns nil when another process holds the lock.
    static func tryAcquire(_ path: String) throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot open lock file \(path): errno \(errno)") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return FileLock(fd: fd)
    }

    func release() { close(fd) }
}

/// Held, shared, by every CLI command while it uses a data folder's cluster: the last command
/// out (the only one that can take it exclusively) stops a cluster no `serve` holds.
public final class ClientLock: Sendable {
    private let lock: FileLock

    private init(lock: FileLock) { self.lock = lock }

    public static func path(dataDir: URL) -> String { dataDir.appendingPathComponent("clients.lock").path }

    public static func acquire(dataDir: URL) throws -> ClientLock {
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: Posix.isRoot ? 0o711 : 0o700])
        return ClientLock(lock: try FileLock.acquire(path(dataDir: dataDir), shared: true))
    }

    public func release() { lock.release() }
}

/// Held by `ifcd serve` for as long as it serves a data folder: a second serve on the same
/// folder is refused, and CLI commands leave the cluster running while it is held.
public final class ServeLock: Sendable {
    private let lock: FileLock

    private init(lock: FileLock) { self.lock = lock }

    public static func acquire(dataDir: URL) throws -> ServeLock {
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: Posix.isRoot ? 0o711 : 0o700])
        let path = dataDir.appendingPathComponent("serve.lock").path
        guard let lock = try FileLock.tryAcquire(path) else {
            throw ConfigurationError("another ifcd serve is running on \(dataDir.path); stop it first or use another --data-dir")
        }
        return ServeLock(lock: lock)
    }

    public func release() { lock.release() }
}
