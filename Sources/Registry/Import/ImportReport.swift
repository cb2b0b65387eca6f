import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO
import RegistryAPI

/// What an import did: counts, and each invalid row with its line, column and reason.
public struct ImportReport: Sendable, Encodable {
    public struct RowError: Sendable, Encodable, Equatable {
        public var line: Int
        public var column: String
        public var reason: String
    }

    public var importID: UUID
    public var dryRun: Bool
    public var rows = 0
    public var imported = 0
    public var duplicates = 0
    public var invalid = 0
    public var errors: [RowError] = []
    public var errorsTruncated = false
    /// A valid row whose make, model, type or calibre does not match the reference table: it is
    /// imported (unless a duplicate) and flagged for review, never refused.
    public struct RowWarning: Sendable, Encodable, Equatable {
        public var line: Int
        public var field: String
        public var text: String
        public var flag: ReviewFlag
    }
    /// Valid rows with at least one warning.
    public var flagged = 0
    public var warnings: [RowWarning] = []
    public var warningsTruncated = false

    public static let maximumErrors = 1000

    enum CodingKeys: String, CodingKey {
        case rows, imported, duplicates, invalid, errors, flagged, warnings
        case importID = "import_id", dryRun = "dry_run", errorsTruncated = "errors_truncated", warningsTruncated = "warnings_truncated"
    }

    mutating func add(_ error: RowError) {
        if errors.count < Self.maximumErrors { errors.append(error) } else { errorsTruncated = true }
    }

    mutating func add(_ warnings: [ReviewWarning], line: Int) {
        guard !warnings.isEmpty else { return }
        flagged += 1
        for w in warnings {
            if self.warnings.count < Self.maximumErrors {
                self.warnings.append(RowWarning(line: line, field: w.field, text: w.text, flag: w.flag))
            } else {
                warningsTruncated = true
            }
        }
    }
}
