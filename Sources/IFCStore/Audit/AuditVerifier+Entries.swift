import Foundation
import IFCCore
import Logging
import PostgresNIO

/// Entries left unsealed too long, and how a stored entry is read back for the chain.
extension AuditVerifier {
    /// Entries no seal holds: counted (all entries less those the walk found), and the oldest
    /// of them reported when it has waited longer than `maxUnsealedAge`.
    func checkUnsealed(on connection: PostgresConnection, now: Date, walked: Walk, into report: inout Report) async throws {
        report.breaks = walked.allBreaks
        var total: Int64 = 0, above: Int64 = 0
        var oldest: (seq: Int64, micros: Int64)?
        for try await (count, countAbove, firstAbove, atAbove) in try await connection.query("""
            SELECT (SELECT count(*) FROM audit_entries), count(*), min(seq), (extract(epoch FROM min(at)) * 1000000)::int8
            FROM audit_entries WHERE seq > \(walked.reach)
            """, logger: logger).decode((Int64, Int64, Int64?, Int64?).self) {
            total = count
            above = countAbove
            if let firstAbove, let atAbove { oldest = (firstAbove, atAbove) }
        }
        let unsealed = max(0, total - Int64(walked.entries))
        report.unsealed = Int(unsealed)
        if unsealed > above {
            // Some below the top too (an entry committed late, or inserted around the sealer).
            for try await (seq, micros) in try await connection.query("""
                SELECT seq, (extract(epoch FROM at) * 1000000)::int8 FROM audit_entries
                WHERE seq <= \(walked.reach) AND audit_sealed_by(seq) IS NULL ORDER BY at LIMIT 1
                """, logger: logger).decode((Int64, Int64).self) {
                if oldest.map({ micros < $0.micros }) ?? true { oldest = (seq, micros) }
            }
        }
        guard unsealed > 0, let oldest else { return }
        let at = Date(timeIntervalSince1970: Double(oldest.micros) / 1_000_000)
        if now.timeIntervalSince(at) > maxUnsealedAge {
            report.breaks.append(Break(position: nil, seq: oldest.seq, reason:
                "\(unsealed) entries unsealed, the oldest for \(Int(now.timeIntervalSince(at))) s "
                + "(limit \(Int(maxUnsealedAge)) s): the sealer is not running, or entries were inserted around it"))
        }
    }

    static func decodeEntry(_ row: PostgresRow) throws -> StoredAuditEntry {
        try decodeEntry(row.makeRandomAccess(), offset: 0)
    }

    static func decodeEntry(_ c: PostgresRandomAccessRow, offset o: Int) throws -> StoredAuditEntry {
        let outcomeText = try c[o + 9].decode(String.self)
        let entry = AuditEntry(
            actor: try c[o + 2].decode(String.self),
            actorID: try c[o + 3].decode(UUID?.self),
            roles: try c[o + 4].decode([String].self),
            action: try c[o + 5].decode(String.self),
            recordType: try c[o + 6].decode(String?.self),
            recordID: try c[o + 7].decode(String?.self),
            requestID: try c[o + 8].decode(String?.self),
            outcome: AuditEntry.Outcome(rawValue: outcomeText) ?? .failure,
            detail: try c[o + 10].decode(String?.self))
        return StoredAuditEntry(seq: try c[o].decode(Int64.self), atMicros: try c[o + 1].decode(PostgresMicros.self).value, entry: entry)
    }
}
