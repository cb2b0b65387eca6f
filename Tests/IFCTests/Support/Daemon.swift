import Foundation
@testable import IFCStore
#if canImport(Glibc)
import Glibc
#endif

/// The built `ifcd` executable, run as an operator would: for the tests of the embedded cluster's
/// life cycle (fresh folder, kill -9, restart), which need real processes.
struct IFCDBinary {
    let path: String

    static func find() throws -> IFCDBinary {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ifcd").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ifcd").path,
            Bundle.main.bundleURL.appendingPathComponent("ifcd").path,
        ]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("the ifcd executable is not built next to the tests (looked at \(candidates)); run `swift build` first")
        }
        return IFCDBinary(path: path)
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command to completion.
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> Output {
        let process = try spawn(arguments, stdin: stdin, environment: environment)
        let status = await process.wait()
        return Output(status: status, stdout: process.stdout, stderr: process.stderr)
    }

    /// Starts a long-running command (`serve`).
    func spawn(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> SpawnedProcess {
        try SpawnedProcess(path: path, arguments: arguments, stdin: stdin, environment: environment)
    }
}

/// A child process with its output in files, spawned and reaped with POSIX calls (Foundation's
/// `Process` on Linux would wait on a descriptor the postmaster inherits).
final class SpawnedProcess: @unchecked Sendable {
    let pid: pid_t
    private let directory: URL

    init(path: String, arguments: [String], stdin: String?, environment: [String: String]) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ifcd-proc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let inPath = directory.appendingPathComponent("stdin").path
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory.appendingPathComponent("stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, directory.appendingPathComponent("stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "IFCD_DATABASE_URL")
        for (key, value) in environment { env[key] = value }
        let cArgs = ([path] + arguments).map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, cArgs, cEnv)
        guard result == 0 else { throw TestFailure("cannot spawn \(path): \(result)") }
        self.pid = pid
    }

    var stdout: String { (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the exit on a thread of its own (waitpid blocks), returning the exit status.
    func wait() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                continuation.resume(returning: code)
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// A minimal HTTP/1.1 client over a blocking loopback socket, enough to poll `/ready` and call
/// the API of a spawned daemon.
enum LoopbackHTTP {
    struct Reply {
        var status: Int
        var body: String
    }

    static func get(port: Int, path: String, token: String? = nil) -> Reply? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        guard let text = String(data: data, encoding: .utf8), let line = text.split(separator: "\r\n").first else { return nil }
        let parts = line.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return Reply(status: status, body: body)
    }

    /// Polls `/ready` until it answers 200, for at most `attempts` tries 100 ms apart.
    static func waitUntilReady(port: Int, attempts: Int = 300) async -> Bool {
        for _ in 0..<attempts {
            if get(port: port, path: "/ready")?.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
