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
        // Drained, so that the statement has completed (or thrown) before the batch counts as written.
        for try await _ in try await connection.execute(BatchInsert(columns: [actors, actorIDs, roles, actions, types, ids, requests, outcomes,
                                                                              details]), logger: AuditWriter.quietLogger) {}
    }

    /// `appendBatch`'s INSERT, prepared once per connection: every read's entry goes through it,
    /// and it was parsed and planned for every batch (37 µs of planning a batch, pg_stat_statements).
    struct BatchInsert: PostgresPreparedStatement {
        typealias Row = Int
        static let sql = """
            INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome, detail)
            SELECT a, NULLIF(ai, '')::uuid, coalesce(string_to_array(NULLIF(r, ''), ','), '{}'), ac, NULLIF(t, ''), NULLIF(i, ''),
                   NULLIF(q, ''), o, NULLIF(d, '')::jsonb
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                 AS u(a, ai, r, ac, t, i, q, o, d)
            """
        /// The nine columns' values, in the order of the statement's parameters.
        var columns: [[String]]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: columns.count)
            for column in columns { bindings.append(column) }
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int { 0 }
    }
}

extension AuditLog {
    /// `append`'s INSERT, its values taken from `$first` … `$first + 8`, for a writer that puts
    /// its audit entry into one statement with its other writes (a data-modifying CTE of a
    /// prepared statement): the entry commits with them or not at all, as with `append`.
    /// `appendValues(of:to:)` binds the entry's values in this order.
    public static func insertSQL(parametersFrom first: Int) -> String {
        let p = (first..<first + 9).map { "$\($0)" }
        return """
            INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome, detail)
            VALUES (\(p[0])::text, \(p[1])::uuid, \(p[2])::text[], \(p[3])::text, \(p[4])::text, \(p[5])::text, \(p[6])::text,
                    \(p[7])::text, \(p[8])::text::jsonb)
            """
    }

    /// The entry's nine values, in `insertSQL(parametersFrom:)`'s order.
    public static func appendValues(of entry: AuditEntry, to bindings: inout PostgresBindings) {
        bindings.append(entry.actor)
        bindings.append(entry.actorID)
        bindings.append(entry.roles)
        bindings.append(entry.action)
        bindings.append(entry.recordType)
        bindings.append(entry.recordID)
        bindings.append(entry.requestID)
        bindings.append(entry.outcome.rawValue)
        bindings.append(entry.detail)
    }
}
