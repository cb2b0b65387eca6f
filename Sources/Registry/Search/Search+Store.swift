import Foundation
import IFCCore
import PostgresNIO
import RegistryAPI

extension FirearmStore {
    /// Partial-serial search: LIKE over the trigram-indexed normalised (or folded) serial,
    /// exact matches first, then by similarity of the known characters.
    static func search(_ pattern: Serial.Pattern, confusables: Bool, limit: Int, on connection: PostgresConnection) async throws -> [Firearm] {
        let like = pattern.like(folded: confusables)
        let known = pattern.knownText(folded: confusables)
        let exact = confusables ? Serial.fold(pattern.normalized) : pattern.normalized
        let rows = confusables
            ? try await connection.query("""
                SELECT \(unescaped: columns) FROM firearms WHERE serial_folded LIKE \(like)
                ORDER BY (serial_folded = \(exact)) DESC, similarity(serial_folded, \(known)) DESC, reference
                LIMIT \(limit)
                """, logger: logger)
            : try await connection.query("""
                SELECT \(unescaped: columns) FROM firearms WHERE serial_normalized LIKE \(like)
                ORDER BY (serial_normalized = \(exact)) DESC, similarity(serial_normalized, \(known)) DESC, reference
                LIMIT \(limit)
                """, logger: logger)
        return try await all(rows)
    }

    /// Firearms whose normalised serial is exactly `normalized`, in reference order.
    static func withSerial(_ normalized: String, limit: Int, on connection: PostgresConnection) async throws -> [Firearm] {
        try await all(connection.query("""
            SELECT \(unescaped: columns) FROM firearms WHERE serial_normalized = \(normalized) ORDER BY reference LIMIT \(limit)
            """, logger: logger))
    }
}

/// Fuzzy serial search: serials one or two edits (Levenshtein) from a serial with no wildcards.
/// The candidates come from the trigram index (`%` on the normalised or folded serial, under a
/// lowered similarity threshold set for this transaction only), so this is never a table scan;
/// `levenshtein_less_equal` (fuzzystrmatch) then keeps those at most `maxDistance` away.
enum FuzzySearchStore {
    /// The trigram similarity a candidate needs. Measured on 1M generated serials (40 serials,
    /// one character misread): 0.25 finds every serial one edit away and ~93% of those two
    /// away, in 9 ms median / 27 ms worst; 0.2 finds all but its candidate sets for mostly-digit
    /// serials reach 30k rows (p95 over a second); 0.3 misses half of the two-edit ones.
    static let similarityThreshold = "0.25"
    static let maxDistance = 2

    static func setThreshold(on connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT set_config('pg_trgm.similarity_threshold', \(similarityThreshold), true)",
                                   logger: FirearmStore.logger).collect()
    }

    /// Firearms with their edit distance, nearest first, narrowed by make (case-insensitive) and type when given.
    static func firearms(_ serial: String, confusables: Bool, make: String?, type: String?, excluding: [UUID], limit: Int,
                         on connection: PostgresConnection) async throws -> [(Firearm, Int)] {
        let text = confusables ? Serial.fold(serial) : serial
        let rows = confusables
            ? try await connection.query("""
                SELECT \(unescaped: FirearmStore.columns), levenshtein_less_equal(serial_folded, \(text), \(maxDistance)::int) AS d
                FROM firearms WHERE serial_folded % \(text)
                  AND levenshtein_less_equal(serial_folded, \(text), \(maxDistance)::int) <= \(maxDistance)::int
                  AND (\(make)::text IS NULL OR lower(make) = lower(\(make))) AND (\(type)::text IS NULL OR type = \(type))
                  AND NOT (id = ANY(\(excluding)::uuid[]))
                ORDER BY d, similarity(serial_folded, \(text)) DESC, reference LIMIT \(limit)
                """, logger: FirearmStore.logger)
            : try await connection.query("""
                SELECT \(unescaped: FirearmStore.columns), levenshtein_less_equal(serial_normalized, \(text), \(maxDistance)::int) AS d
                FROM firearms WHERE serial_normalized % \(text)
                  AND levenshtein_less_equal(serial_normalized, \(text), \(maxDistance)::int) <= \(maxDistance)::int
                  AND (\(make)::text IS NULL OR lower(make) = lower(\(make))) AND (\(type)::text IS NULL OR type = \(type))
                  AND NOT (id = ANY(\(excluding)::uuid[]))
                ORDER BY d, similarity(serial_normalized, \(text)) DESC, reference LIMIT \(limit)
                """, logger: FirearmStore.logger)
        var found: [(Firearm, Int)] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            found.append((try FirearmStore.decode(row), try cells[cells.count - 1].decode(Int.self)))
        }
        return found
    }

    /// Components with their edit distance, nearest first, narrowed by make when given.
    static func components(_ serial: String, confusables: Bool, make: String?, excluding: [UUID], limit: Int,
                           on connection: PostgresConnection) async throws -> [(Component, Int)] {
        let text = confusables ? Serial.fold(serial) : serial
        let rows = confusables
            ? try await connection.query("""
                SELECT \(unescaped: ComponentStore.columns), levenshtein_less_equal(serial_folded, \(text), \(maxDistance)::int) AS d
                FROM components WHERE serial_folded % \(text)
                  AND levenshtein_less_equal(serial_folded, \(text), \(maxDistance)::int) <= \(maxDistance)::int
                  AND (\(make)::text IS NULL OR make IS NULL OR lower(make) = lower(\(make)))
                  AND NOT (id = ANY(\(excluding)::uuid[]))
                ORDER BY d, similarity(serial_folded, \(text)) DESC, reference LIMIT \(limit)
                """, logger: FirearmStore.logger)
            : try await connection.query("""
                SELECT \(unescaped: ComponentStore.columns), levenshtein_less_equal(serial_normalized, \(text), \(maxDistance)::int) AS d
                FROM components WHERE serial_normalized % \(text)
                  AND levenshtein_less_equal(serial_normalized, \(text), \(maxDistance)::int) <= \(maxDistance)::int
                  AND (\(make)::text IS NULL OR make IS NULL OR lower(make) = lower(\(make)))
                  AND NOT (id = ANY(\(excluding)::uuid[]))
                ORDER BY d, similarity(serial_normalized, \(text)) DESC, reference LIMIT \(limit)
                """, logger: FirearmStore.logger)
        var found: [(Component, Int)] = []
        for try await row in rows {
            let component = try ComponentStore.decode(row)
            let cells = row.makeRandomAccess()
            found.append((component, try cells[cells.count - 1].decode(Int.self)))
        }
        return found
    }
}

extension FirearmStore {
    /// `GET /v1/firearms?serial=` with no other filter, the hot list: one prepared statement
    /// with the review flags (two statements before, the list's parsed and planned each time).
    struct SerialStatement: PostgresPreparedStatement {
        static let sql = """
            SELECT \(FirearmStore.columns), review_flags FROM firearms
            WHERE serial_normalized = $1 AND ($2::text IS NULL OR reference > $2::text)
            ORDER BY reference LIMIT $3
            """
        typealias Row = Flagged<Firearm>
        var serial: String
        var after: String?
        var limit: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(serial)
            bindings.append(after)
            bindings.append(limit)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let c = row.makeRandomAccess()
            return Flagged(record: try FirearmStore.decode(c, at: 0),
                           reviewFlags: try c[33].decode([String].self).compactMap(ReviewFlag.init(rawValue:)))
        }
    }

    static func withSerialFlagged(_ serial: String, page: PageRequest, on connection: PostgresConnection) async throws -> Page<Flagged<Firearm>> {
        var items: [Flagged<Firearm>] = []
        for try await item in try await connection.execute(SerialStatement(serial: serial, after: page.after?[0], limit: page.limit + 1),
                                                           logger: logger) {
            items.append(item)
        }
        return Page(fetched: items, limit: page.limit, key: { [$0.record.reference] })
    }
}

extension FirearmStore.ListFilter {
    /// The serial, when it is the only filter.
    var onlySerial: String? {
        guard make == nil, model == nil, type == nil, calibre == nil, status == nil, holderID == nil, country == nil, origin == nil,
              needsReview == nil, retentionDue == nil else { return nil }
        return serial
    }
}
