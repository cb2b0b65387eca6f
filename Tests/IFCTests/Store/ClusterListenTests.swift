import Foundation
import IFCCore
@testable import IFCStore
import PostgresNIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 16: the embedded cluster listens on its private Unix socket only, unless an operator
/// asks for loopback too; a cluster made when loopback was the default follows on its next start.
@Suite("Embedded cluster listens on its socket only", .serialized)
struct ClusterListenTests {
    /// Whether anything accepts a TCP connection on 127.0.0.1:`port`.
    static func acceptsTCP(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func listenLine(_ dir: URL) throws -> String? {
        try String(contentsOf: dir.appendingPathComponent("pgdata/postgresql.conf"), encoding: .utf8)
            .components(separatedBy: "\n").last { $0.hasPrefix("listen_addresses") }
    }

    static func socketWorks(_ cluster: EmbeddedCluster, port: Int) async throws -> Bool {
        try await cluster.ownerSettings(port: port).withConnection(logger: TestCluster.logger) { connection in
            try await connection.query("SELECT 1", logger: TestCluster.logger).collect().count == 1
        }
    }

    @Test("socket only by default; an old cluster's loopback setting is rewritten on start; loopback when configured")
    func socketOnly() async throws {
        let dir = URL(fileURLWithPath: "/tmp/ifcd-listen-\(UUID().uuidString.prefix(8).lowercased())")
        defer {
            if let cluster = try? EmbeddedCluster(dataDir: dir, logger: TestCluster.logger) { try? cluster.stop() }
            try? FileManager.default.removeItem(at: dir)
        }
        let cluster = try EmbeddedCluster(dataDir: dir, options: .throwaway, logger: TestCluster.logger)
        let first = try await cluster.start()
        #expect(try Self.listenLine(dir) == "listen_addresses = ''")
        #expect(!Self.acceptsTCP(port: first.port), "the cluster accepts TCP on 127.0.0.1:\(first.port)")
        #expect(try await Self.socketWorks(cluster, port: first.port))
        try cluster.stop()

        // A cluster made while loopback was the default: its conf is brought to the socket only.
        let conf = dir.appendingPathComponent("pgdata/postgresql.conf")
        let old = try String(contentsOf: conf, encoding: .utf8).replacingOccurrences(of: "listen_addresses = ''", with: "listen_addresses = '127.0.0.1'")
        try Data(old.utf8).write(to: conf)
        let before = try FileManager.default.attributesOfItem(atPath: conf.path)
        let second = try await cluster.start()
        #expect(try Self.listenLine(dir) == "listen_addresses = ''")
        // Rewritten in place: its owner and mode (0600, as initdb made it) are kept.
        let after = try FileManager.default.attributesOfItem(atPath: conf.path)
        #expect(after[.posixPermissions] as? Int == 0o600)
        #expect(after[.ownerAccountID] as? Int == before[.ownerAccountID] as? Int)
        #expect(!Self.acceptsTCP(port: second.port))
        try cluster.stop()

        // An operator who wants loopback (database.embeddedListenLoopback) gets it, with passwords.
        var loopback = EmbeddedCluster.Options.throwaway
        loopback.listenOnLoopback = true
        let open = try EmbeddedCluster(dataDir: dir, options: loopback, logger: TestCluster.logger)
        let third = try await open.start()
        #expect(try Self.listenLine(dir) == "listen_addresses = '127.0.0.1'")
        #expect(Self.acceptsTCP(port: third.port))
        #expect(try await Self.socketWorks(open, port: third.port))
        try open.stop()
    }
}
