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

    @discardableResult
    func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        if let user = runAsUser {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser").resolvingSymlinksInPath()
            if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
                process.executableURL = URL(fileURLWithPath: "/sbin/runuser")
            }
            process.arguments = ["-u", user, "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        env.removeValue(forKey: "PGDATA")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        // Output goes to a file, not a pipe: a postmaster started by pg_ctl must not inherit a
        // pipe that this process would wait on.
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("ifcd-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let handle = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output)
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

    /// Blocks until the lock is held.
    static func acquire(_ path: String) throws -> FileLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot open lock file \(path): errno \(errno)") }
        while flock(fd, LOCK_EX) != 0 {
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
