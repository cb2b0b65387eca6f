import Foundation
import IFCCore
import PostgresNIO

/// Writes audit entries. The two paths DESIGN.md asks for:
/// - `append(_:on:)` puts a write's entry inside the write's own transaction: both commit or neither;
/// - `AuditWriter.record(_:)` batches read entries from concurrent requests into one multi-row
///   INSERT per commit and answers each request only after its batch is committed.
public enum AuditLog {
    /// Inserts one entry on `connection`, inside the caller's transaction.
    public static func append(_ entry: AuditEntry, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome, detail)
            VALUES (\(entry.actor), \(entry.actorID), \(entry.roles), \(entry.action), \(entry.recordType),
                    \(entry.recordID), \(entry.requestID), \(entry.outcome.rawValue), \(entry.detail)::jsonb)
            """, logger: AuditWriter.quietLogger)
    }

    /// Inserts many entries in one statement (arrays bound as parameters, unnested by the server).
    static func appendBatch(_ entries: [AuditEntry], on connection: PostgresConnection) async throws {
        var actors: [String] = [], actorIDs: [String] = [], roles: [String] = [], actions: [String] = []
        var types: [String] = [], ids: [String] = [], requests: [String] = [], outcomes: [String] = [], details: [String] = []
        // Arrays of optionals do not bind; an empty string stands for NULL and NULLIF restores it
        // (no field of an entry is meaningfully the empty string).
        for e in entries {
            actors.append(e.actor)
            actorIDs.append(e.actorID?.uuidString ?? "")
            roles.append(e.roles.joined(separator: ","))
            actions.append(e.action)
            types.append(e.recordType ?? "")
            ids.append(e.recordID ?? "")
            requests.append(e.requestID ?? "")
            outcomes.append(e.outcome.rawValue)
            details.append(e.detail ?? "")
        }
        try await connection.query("""
            INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome, detail)
            SELECT a, NULLIF(ai, '')::uuid, coalesce(string_to_array(NULLIF(r, ''), ','), '{}'), ac, NULLIF(t, ''), NULLIF(i, ''),
                   NULLIF(q, ''), o, NULLIF(d, '')::jsonb
            FROM unnest(\(actors)::text[], \(actorIDs)::text[], \(roles)::text[], \(actions)::text[], \(types)::text[],
                        \(ids)::text[], \(requests)::text[], \(outcomes)::text[], \(details)::text[])
                 AS u(a, ai, r, ac, t, i, q, o, d)
            """, logger: AuditWriter.quietLogger)
    }
}
