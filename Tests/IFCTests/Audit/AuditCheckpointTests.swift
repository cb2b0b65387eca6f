import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
@testable import IFCStore
import PostgresNIO
import Testing

/// Signed checkpoints of the chain's head, kept outside the database: a trail whose tail was
/// removed, that was emptied, or that was rewritten and re-sealed by the database owner still
/// verifies as a chain, but no longer reaches the checkpoint.
@Suite("Audit checkpoints")
struct AuditCheckpointTests {
    static func folder() -> CheckpointFiles {
        let base = URL(fileURLWithPath: "/tmp/ifcd-checkpoints-\(UUID().uuidString.prefix(8).lowercased())")
        return CheckpointFiles(keyDirectory: base.appendingPathComponent("keys"), checkpointDirectory: base.appendingPathComponent("checkpoints"))
    }

    static func owner(_ app: TestApp, _ sql: PostgresQuery) async throws {
        try await app.database.asOwner { _ = try await $0.query(sql, logger: TestCluster.logger) }
    }

    /// A checkpoint of the sealed trail after some activity, written and read back from its file.
    static func checkpointed(_ app: TestApp, files: CheckpointFiles) async throws -> AuditCheckpoint {
        _ = try await AuditTests.activity(app)
        _ = try await app.parts.sealer.sealAll()
        let checkpointer = try AuditCheckpointer(database: app.store, files: files, logger: TestCluster.logger)
        let written = try #require(try await checkpointer.checkpoint())
        let read = try AuditCheckpoint.parse(try #require(FileManager.default.contents(atPath: files.latestURL.path)))
        #expect(read == written)
        return read
    }

    static func problem(_ app: TestApp, _ checkpoint: AuditCheckpoint) async throws -> String? {
        try await app.database.asOwner { try await checkpoint.problem(on: $0, logger: TestCluster.logger) }
    }

    @Test("a checkpoint is signed with a key outside the database (created 0400), verifies with its public half, and an honest trail reaches it")
    func honest() async throws {
        try await withTestApp { app in
            let files = Self.folder()
            let checkpoint = try await Self.checkpointed(app, files: files)
            let mode = try FileManager.default.attributesOfItem(atPath: files.keyURL.path)[.posixPermissions] as? Int
            #expect(mode == 0o400)
            let publicKey = try CheckpointFiles.publicKey(at: files.publicKeyURL)
            #expect(checkpoint.isSigned(by: publicKey))
            var forged = checkpoint
            forged.position += 1
            #expect(!forged.isSigned(by: publicKey))
            #expect(!checkpoint.isSigned(by: Curve25519.Signing.PrivateKey().publicKey))
            #expect(try await Self.problem(app, checkpoint) == nil)
            // More activity later: the trail still reaches the earlier checkpoint.
            _ = try await app.request(.get, "/v1/me", token: try await app.token(roles: [.clerk]))
            _ = try await app.parts.sealer.sealAll()
            #expect(try await Self.problem(app, checkpoint) == nil)
            #expect(try await AuditTests.verify(app).ok)
        }
    }

    @Test("the owner disables the triggers and deletes the tail: the chain still verifies, the checkpoint does not")
    func removedTail() async throws {
        try await withTestApp { app in
            let checkpoint = try await Self.checkpointed(app, files: Self.folder())
            try await Self.owner(app, "ALTER TABLE audit_seals DISABLE TRIGGER USER")
            try await Self.owner(app, "ALTER TABLE audit_entries DISABLE TRIGGER USER")
            try await Self.owner(app, "DELETE FROM audit_entries WHERE seq >= (SELECT min(entry_seq) FROM audit_seals WHERE position > \(checkpoint.position - 3))")
            try await Self.owner(app, "DELETE FROM audit_seals WHERE position > \(checkpoint.position - 3)")
            #expect(try await app.database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(on: $0) }.ok)
            let problem = try #require(try await Self.problem(app, checkpoint))
            #expect(problem.contains("tail was removed"))
            // Emptied altogether: the same.
            try await Self.owner(app, "DELETE FROM audit_seals")
            try await Self.owner(app, "DELETE FROM audit_entries")
            #expect(try #require(try await Self.problem(app, checkpoint)).contains("tail was removed"))
        }
    }

    @Test("the owner rewrites an entry and re-seals from there: the chain verifies, the checkpoint does not")
    func rewrittenAndResealed() async throws {
        try await withTestApp { app in
            let checkpoint = try await Self.checkpointed(app, files: Self.folder())
            try await Self.owner(app, "ALTER TABLE audit_seals DISABLE TRIGGER USER")
            try await Self.owner(app, "ALTER TABLE audit_entries DISABLE TRIGGER USER")
            try await Self.owner(app, "UPDATE audit_entries SET actor = 'someone-else' WHERE seq = (SELECT entry_seq FROM audit_seals WHERE position = 2)")
            try await Self.owner(app, "DELETE FROM audit_seals WHERE position >= 2")
            // The daemon's own sealer, which holds the key, re-seals the rewritten trail.
            let resealer = AuditSealer(database: app.sealerStore, key: TestCluster.sealKey, logger: TestCluster.logger)
            _ = try await resealer.sealAll()
            #expect(try await app.database.asOwner { try await AuditVerifier(key: TestCluster.sealKey, logger: TestCluster.logger).verify(on: $0) }.ok)
            let problem = try #require(try await Self.problem(app, checkpoint))
            #expect(problem.contains("rewritten and re-sealed"))
        }
    }
}

@Suite("Private files")
struct PrivateFileTests {
    @Test("secret files are written with their final mode, replacing an older one atomically, and no other user can read them")
    func modes() throws {
        let path = "/tmp/ifcd-private-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PrivateFile.write(Data("first".utf8), to: path, mode: 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        try PrivateFile.write(Data("second".utf8), to: path, mode: 0o400)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o400)
        #expect(FileManager.default.contents(atPath: path) == Data("second".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix(URL(fileURLWithPath: path).lastPathComponent + ".tmp") }.isEmpty)
    }
}
