import Foundation
import IFCCore
import Logging
import PostgresNIO

/// Reading the trail for auditors: filter by record, actor and time, keyset pages by sequence.
public struct AuditFilter: Sendable, Equatable {
    public var recordType: String?
    public var recordID: String?
    public var actor: String?
    public var action: String?
    public var from: Date?
    public var to: Date?

    public init(recordType: String? = nil, recordID: String? = nil, actor: String? = nil, action: String? = nil,
                from: Date? = nil, to: Date? = nil) {
        self.recordType = recordType
        self.recordID = recordID.map(AuditEntry.canonicalRecordID)
        self.actor = actor
        self.action = action
        self.from = from
        self.to = to
    }
}

public struct AuditRecord: Sendable, Encodable, Equatable {
    public var seq: Int64
    public var at: Date
    public var actor: String
    public var actorID: UUID?
    public var roles: [String]
    public var action: String
    public var recordType: String?
    public var recordID: String?
    public var requestID: String?
    public var outcome: String
    public var detail: String?
    public var position: Int64?
    public var prevHash: String?
    public var hash: String?

    enum CodingKeys: String, CodingKey {
        case seq, at, actor, roles, action, outcome, detail, position, hash
        case actorID = "actor_id", recordType = "record_type", recordID = "record_id", requestID = "request_id"
        case prevHash = "prev_hash"
    }
}

extension AuditLog {
    public static func list(_ filter: AuditFilter, page: PageRequest, on connection: PostgresConnection,
                            logger: Logger) async throws -> Page<AuditRecord> {
        let after = page.after.flatMap { Int64($0[0]) } ?? 0
        // Every filter is a bound parameter; an absent one is NULL and matches everything.
        let rows = try await connection.query("""
            SELECT seq, at, actor, actor_id, roles, action, record_type, record_id, request_id, outcome,
                   detail::text, position, prev_hash, hash
            FROM audit_trail
            WHERE seq > \(after)
              AND (\(filter.recordType)::text IS NULL OR record_type = \(filter.recordType))
              AND (\(filter.recordID)::text IS NULL OR record_id = \(filter.recordID))
              AND (\(filter.actor)::text IS NULL OR actor = \(filter.actor))
              AND (\(filter.action)::text IS NULL OR action = \(filter.action))
              AND (\(filter.from)::timestamptz IS NULL OR at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR at < \(filter.to))
            ORDER BY seq
            LIMIT \(page.limit + 1)
            """, logger: logger)
        var items: [AuditRecord] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            items.append(AuditRecord(
                seq: try c[0].decode(Int64.self), at: try c[1].decode(Date.self), actor: try c[2].decode(String.self),
                actorID: try c[3].decode(UUID?.self), roles: try c[4].decode([String].self), action: try c[5].decode(String.self),
                recordType: try c[6].decode(String?.self), recordID: try c[7].decode(String?.self),
                requestID: try c[8].decode(String?.self), outcome: try c[9].decode(String.self),
                detail: try c[10].decode(String?.self), position: try c[11].decode(Int64?.self),
                prevHash: try c[12].decode(ByteBuffer?.self).map { Array(buffer: $0).hexString },
                hash: try c[13].decode(ByteBuffer?.self).map { Array(buffer: $0).hexString }))
        }
        return Page(fetched: items, limit: page.limit, key: { [String($0.seq)] })
    }
}
