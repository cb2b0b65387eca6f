import Crypto
import Foundation

/// The key of the audit seals' HMAC. It is never in the database, so neither the application
/// role nor the owner can write a seal that verifies. Where it comes from, first found:
/// - `IFCD_AUDIT_SEAL_KEY`: base64 of 32 bytes, for a secret store or a key service that hands
///   the key to the process at start (the documented path for a hardware or cloud key service);
/// - the key file (`DATA/keys/seal.key` by default): 32 raw bytes, mode 0400, created with that
///   mode on first use by the sealing process.
public struct AuditSealKey: Sendable {
    public static let environmentVariable = "IFCD_AUDIT_SEAL_KEY"

    public let key: SymmetricKey
    /// Where it was read from, for messages.
    public let source: String

    public init(key: SymmetricKey, source: String) {
        self.key = key
        self.source = source
    }

    /// A fresh random key held only in memory (tests).
    public static func ephemeral() -> AuditSealKey {
        AuditSealKey(key: SymmetricKey(size: .bits256), source: "memory")
    }

    /// The key from the environment, else the file; the file is created when `create` is set
    /// and neither exists.
    public static func load(file: URL, environment: [String: String] = ProcessInfo.processInfo.environment,
                            create: Bool) throws -> AuditSealKey {
        if let text = environment[environmentVariable], !text.isEmpty {
            guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32 else {
                throw CheckpointError("\(environmentVariable) is not base64 of 32 bytes")
            }
            return AuditSealKey(key: SymmetricKey(data: raw), source: environmentVariable)
        }
        let manager = FileManager.default
        if let data = manager.contents(atPath: file.path) {
            guard data.count == 32 else { throw CheckpointError("\(file.path) is not an audit seal key (32 bytes)") }
            return AuditSealKey(key: SymmetricKey(data: data), source: file.path)
        }
        if manager.fileExists(atPath: file.path) {
            throw CheckpointError("cannot read the audit seal key \(file.path)")
        }
        guard create else {
            throw CheckpointError("no audit seal key: neither \(environmentVariable) nor \(file.path) exists")
        }
        try manager.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        let key = SymmetricKey(size: .bits256)
        guard try PrivateFile.create(key.withUnsafeBytes { Data($0) }, at: file.path, mode: 0o400) else {
            // Another process created it first: use that one.
            return try load(file: file, environment: [:], create: false)
        }
        return AuditSealKey(key: key, source: file.path)
    }
}
