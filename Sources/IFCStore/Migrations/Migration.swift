import Crypto
import Foundation
import IFCCore

/// One numbered file of `Schema/`: `NNNN_name.sql`, applied in order, once, in one transaction.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public let sha256: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.sha256 = Array(SHA256.hash(data: Data(sql.utf8))).hexString
    }

    public var fileName: String { String(format: "%04d_%@.sql", version, name) }

    /// The migrations compiled into this binary from `Schema/` (by the EmbedSchema plugin), or
    /// those of the folder `IFCD_SCHEMA_DIR` names.
    public static func bundled() throws -> [Migration] {
        if let dir = ProcessInfo.processInfo.environment["IFCD_SCHEMA_DIR"], !dir.isEmpty {
            return try load(from: URL(fileURLWithPath: dir))
        }
        var migrations: [Migration] = []
        for file in EmbeddedSchema.files {
            guard let parsed = parse(fileName: file.name) else { throw MigrationError.badFileName(file.name) }
            guard let data = Data(base64Encoded: file.base64), let text = String(data: data, encoding: .utf8) else {
                throw MigrationError.schemaFolderMissing
            }
            migrations.append(Migration(version: parsed.version, name: parsed.name, sql: text))
        }
        return try ordered(migrations)
    }

    public static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for file in names where file.hasSuffix(".sql") {
            guard let parsed = parse(fileName: file) else { throw MigrationError.badFileName(file) }
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: parsed.version, name: parsed.name, sql: text))
        }
        return try ordered(migrations)
    }

    static func ordered(_ migrations: [Migration]) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.version)
        }
        return sorted
    }

    static func parse(fileName: String) -> (version: Int, name: String)? {
        let base = fileName.dropLast(4)  // ".sql"
        let parts = base.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0 else { return nil }
        let name = String(parts[1])
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else { return nil }
        return (version, name)
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case schemaFolderMissing
    case badFileName(String)
    case duplicateVersion(Int)
    case changedAfterApply(file: String, recorded: String, actual: String)
    case unknownApplied(version: Int, name: String)
    case failed(file: String, reason: String)

    public var description: String {
        switch self {
        case .schemaFolderMissing:
            "a migration compiled into this build is unreadable; rebuild, or set IFCD_SCHEMA_DIR to the project's Schema/"
        case .badFileName(let name):
            "Schema/\(name): migration files are named NNNN_lowercase_name.sql"
        case .duplicateVersion(let version):
            "two migration files carry number \(version)"
        case .changedAfterApply(let file, let recorded, let actual):
            "migration \(file) was changed after it was applied (applied sha256 \(recorded), file now \(actual)). "
                + "Applied migrations are never edited: restore the file and add a new numbered migration instead."
        case .unknownApplied(let version, let name):
            "the database has migration \(String(format: "%04d", version))_\(name) that this binary does not ship; "
                + "it was migrated by a newer ifcd, run that one"
        case .failed(let file, let reason):
            "migration \(file) failed and was rolled back: \(reason)"
        }
    }
}
