import Foundation
import IFCCore
import PostgresNIO

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
