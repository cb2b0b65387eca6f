import Foundation
import IFCCore
import Synchronization

/// The ceiling on records one user may read per hour (`audit.maxReadsPerHour`), against bulk
/// copying by a stolen token or an insider. Counted where reads are recorded (`AuditWriter`),
/// so every module's reads count, before any data is answered. A user holding `bulk_reader`
/// (which an administrator grants) has no ceiling.
///
/// The count lives in the serving process: a sliding hour of one-minute buckets per user. A
/// restart, or a second daemon, starts its own count; the audit trail keeps every read anyway.
public final class ReadCeiling: Sendable {
    public let maxPerHour: Int
    private let now: @Sendable () -> Date
    private let counts = Mutex<[UUID: [Int64: Int]]>([:])
    static let bucketSeconds: Int64 = 60
    static let windowBuckets: Int64 = 60

    public init(maxPerHour: Int, now: @escaping @Sendable () -> Date) {
        self.maxPerHour = maxPerHour
        self.now = now
    }

    public enum Decision: Sendable, Equatable {
        case admitted
        /// `readInWindow` records were already read in the hour; a retry may pass after `retryAfter` s.
        case refused(readInWindow: Int, retryAfter: Int)
    }

    /// Counts `records` more reads by `userID` if they stay within the ceiling; otherwise counts
    /// nothing and says when enough of the hour will have passed.
    public func admit(_ records: Int, by userID: UUID) -> Decision {
        guard records > 0 else { return .admitted }
        let seconds = Int64(now().timeIntervalSince1970.rounded(.down))
        let bucket = seconds / Self.bucketSeconds
        let oldest = bucket - Self.windowBuckets + 1
        return counts.withLock { counts in
            var buckets = (counts[userID] ?? [:]).filter { $0.key >= oldest }
            let read = buckets.values.reduce(0, +)
            if read + records <= maxPerHour {
                buckets[bucket, default: 0] += records
                counts[userID] = buckets
                return .admitted
            }
            counts[userID] = buckets.isEmpty ? nil : buckets
            // Wait until the oldest buckets leave the hour and free enough room (at most an hour).
            var freed = 0
            var wait = Self.windowBuckets * Self.bucketSeconds
            for (start, count) in buckets.sorted(by: { $0.key < $1.key }) {
                freed += count
                if read - freed + records <= maxPerHour {
                    wait = (start + Self.windowBuckets) * Self.bucketSeconds - seconds
                    break
                }
            }
            return .refused(readInWindow: read, retryAfter: Int(max(1, wait)))
        }
    }

    /// The records a set of entries shows: successful entries naming a record, by their user.
    static func recordsRead(in entries: [AuditEntry]) -> [UUID: Int] {
        var read: [UUID: Int] = [:]
        for entry in entries where entry.outcome == .success && entry.recordID != nil {
            guard let user = entry.actorID, !entry.roles.contains(Role.bulkReader.rawValue) else { continue }
            read[user, default: 0] += 1
        }
        return read
    }
}
