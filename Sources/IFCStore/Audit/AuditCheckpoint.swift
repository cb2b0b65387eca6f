import Crypto
import Foundation
import IFCCore
import Logging
import PostgresNIO

/// A signed statement of how far the audit chain reached: the last seal's position and hash,
/// the number of sealed entries, and the time, signed with Ed25519 by a key that is not in the
/// database. Operators ship checkpoints to write-once storage; `ifcd audit verify --checkpoint`
/// then fails when the trail no longer reaches one (a removed tail, an emptied trail, a rewrite
/// re-sealed by someone holding the database but not the key).
public struct AuditCheckpoint: Codable, Sendable, Equatable {
    public var version = 1
    public var position: Int64
    public var entrySeq: Int64
    public var hash: String
    /// When it was signed, ISO 8601 with milliseconds (signed as written).
    public var at: String
    /// Base64 Ed25519 signature over `signedText`.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case version, position, hash, at, signature
        case entrySeq = "entry_seq"
    }

    /// What is signed: every field but the signature, in a fixed text form.
    public var signedText: String {
        "ifcd-audit-checkpoint-v\(version)\n\(position)\n\(entrySeq)\n\(hash)\n\(at)"
    }

    public static func make(position: Int64, entrySeq: Int64, hash: Data, at: Date,
                            key: Curve25519.Signing.PrivateKey) throws -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(position: position, entrySeq: entrySeq, hash: hash.map { String(format: "%02x", $0) }.joined(),
                                         at: Timestamp.format(at), signature: "")
        checkpoint.signature = try key.signature(for: Data(checkpoint.signedText.utf8)).base64EncodedString()
        return checkpoint
    }

    public func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
        guard let signature = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(signature, for: Data(signedText.utf8))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }()

    public func json() throws -> Data { try Self.encoder.encode(self) }
    public static func parse(_ data: Data) throws -> AuditCheckpoint { try JSONDecoder().decode(AuditCheckpoint.self, from: data) }

    /// Whether the trail in the database still reaches this checkpoint: the seal at its position
    /// exists, seals that entry and carries that hash. Nil when it does; else why not.
    public func problem(on connection: PostgresConnection, logger: Logger) async throws -> String? {
        var found: (Int64, Data)?
        for try await (seq, hash) in try await connection.query(
            "SELECT entry_seq, hash FROM audit_seals WHERE position = \(position)", logger: logger
        ).decode((Int64, ByteBuffer).self) {
            found = (seq, Data(buffer: hash))
        }
        if let (seq, stored) = found, seq == entrySeq, stored.map({ String(format: "%02x", $0) }).joined() == hash {
            return nil
        }
        // The signed head's entry still held by some seal: the trail was re-sealed over it.
        var holder: Int64?
        for try await value in try await connection.query("SELECT audit_sealed_by(\(entrySeq))", logger: logger).decode(Int64?.self) {
            holder = value
        }
        if holder != nil {
            return "the seal at checkpoint position \(position) differs from the one signed \(at): the trail was rewritten and re-sealed"
        }
        return "the trail no longer reaches checkpoint position \(position) (signed \(at)): its tail was removed"
    }
}

/// The checkpoint key and folder of a node: `keys/checkpoint.key` (the Ed25519 private key, raw,
/// mode 0400, created with that mode), `keys/checkpoint.pub` (the public key operators keep
/// apart to verify with), and the checkpoints written (`checkpoints/`, `latest.json` the newest).
public struct CheckpointFiles: Sendable {
    public let keyURL: URL
    public let publicKeyURL: URL
    public let directory: URL

    public init(keyDirectory: URL, checkpointDirectory: URL) {
        keyURL = keyDirectory.appendingPathComponent("checkpoint.key")
        publicKeyURL = keyDirectory.appendingPathComponent("checkpoint.pub")
        directory = checkpointDirectory
    }

    public var latestURL: URL { directory.appendingPathComponent("latest.json") }

    /// The signing key, created (with its public half) on first use. The private key file is
    /// created with mode 0400 from the start: there is no moment it is readable by others.
    public func signingKey() throws -> Curve25519.Signing.PrivateKey {
        let manager = FileManager.default
        try manager.createDirectory(at: keyURL.deletingLastPathComponent(), withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        if let data = manager.contents(atPath: keyURL.path) {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: data)
        }
        let key = Curve25519.Signing.PrivateKey()
        // Created only if absent: a process that lost the race uses the key created first.
        guard try PrivateFile.create(key.rawRepresentation, at: keyURL.path, mode: 0o400) else {
            return try signingKey()
        }
        try PrivateFile.write(Data(key.publicKey.rawRepresentation.base64EncodedString().utf8), to: publicKeyURL.path, mode: 0o444)
        return key
    }

    /// A public key file as `checkpoint.pub` holds it (base64 of the raw 32 bytes).
    public static func publicKey(at url: URL) throws -> Curve25519.Signing.PublicKey {
        guard let text = FileManager.default.contents(atPath: url.path).flatMap({ String(data: $0, encoding: .utf8) }),
              let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CheckpointError("\(url.path) is not a checkpoint public key (base64 of 32 bytes)")
        }
        return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    /// Writes `checkpoint` as its own file and as `latest.json` (both mode 0440).
    func write(_ checkpoint: AuditCheckpoint) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try checkpoint.json()
        let name = "checkpoint-\(String(format: "%012lld", checkpoint.position)).json"
        let file = directory.appendingPathComponent(name)
        if !manager.fileExists(atPath: file.path) { try PrivateFile.write(data, to: file.path, mode: 0o440) }
        try PrivateFile.write(data, to: latestURL.path, mode: 0o440)
    }
}

public struct CheckpointError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Writes a signed checkpoint of the chain's head every `interval` (and a last one at stop),
/// when the head has moved since the last one.
public final class AuditCheckpointer: Sendable {
    private let database: Database
    private let files: CheckpointFiles
    private let key: Curve25519.Signing.PrivateKey
    private let interval: Duration
    private let logger: Logger

    public init(database: Database, files: CheckpointFiles, interval: Duration = .seconds(60), logger: Logger) throws {
        self.database = database
        self.files = files
        self.key = try files.signingKey()
        self.interval = interval
        self.logger = logger
    }

    /// Signs and writes the head of the chain now, unless it is still at `unless`; returns it
    /// (nil while nothing is sealed or the head has not moved).
    @discardableResult
    public func checkpoint(now: Date = Date(), unless unmoved: Int64? = nil) async throws -> AuditCheckpoint? {
        let head = try await database.withConnection { connection -> (Int64, Int64, Data)? in
            for try await (position, seq, hash) in try await connection.query(
                "SELECT position, entry_seq, hash FROM audit_seals ORDER BY position DESC LIMIT 1", logger: logger
            ).decode((Int64, Int64, ByteBuffer).self) {
                return (position, seq, Data(buffer: hash))
            }
            return nil
        }
        guard let (position, seq, hash) = head, position != unmoved else { return nil }
        let checkpoint = try AuditCheckpoint.make(position: position, entrySeq: seq, hash: hash, at: now, key: key)
        try files.write(checkpoint)
        return checkpoint
    }

    public func run() async {
        var last: Int64?
        while !Task.isCancelled {
            do {
                if let written = try await checkpoint(unless: last) { last = written.position }
            } catch {
                logger.warning("audit checkpoint failed; will retry", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
        _ = try? await checkpoint(unless: last)
    }
}
