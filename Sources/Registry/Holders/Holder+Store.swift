import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// The holders table and its history.
enum HolderStore {
    static let history = RecordHistory(table: "holder_versions", key: "holder_id")
    static let columns = "id, reference, kind, name, id_number, address, country, version, created_at, updated_at"

    static func decode(_ row: PostgresRow) throws -> Holder {
        let c = row.makeRandomAccess()
        return Holder(id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self),
                      kind: HolderKind(rawValue: try c[2].decode(String.self)) ?? .other,
                      name: try c[3].decode(String.self), idNumber: try c[4].decode(String?.self), address: try c[5].decode(String?.self),
                      country: try Country.decode(c[6]),
                      version: try c[7].decode(Int.self), createdAt: try c[8].decode(Date.self), updatedAt: try c[9].decode(Date.self))
    }

    static func insert(_ h: NewHolder, now: Date, on connection: PostgresConnection) async throws -> Holder {
        let rows = try await connection.query("""
            INSERT INTO holders (id, reference, kind, name, id_number, address, country)
            VALUES (\(UUID()), \(unescaped: Registry.holderReferences.sqlExpression(at: now)), \(h.kind.rawValue), \(h.name), \(h.idNumber),
                    \(h.address), \(h.country.code))
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    static func update(id: UUID, _ h: NewHolder, on connection: PostgresConnection) async throws -> Holder {
        let rows = try await connection.query("""
            UPDATE holders SET kind = \(h.kind.rawValue), name = \(h.name), id_number = \(h.idNumber), address = \(h.address),
                country = \(h.country.code), version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no holder \(id.uuidString.lowercased())")
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Holder? {
        let rows = forUpdate
            ? try await connection.query("SELECT \(unescaped: columns) FROM holders WHERE id = \(id) FOR UPDATE", logger: FirearmStore.logger)
            : try await connection.query("SELECT \(unescaped: columns) FROM holders WHERE id = \(id)", logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// By name (substring, case-insensitive, trigram-indexed) and/or identity number (exact).
    static func list(name: String?, idNumber: String?, page: PageRequest, on connection: PostgresConnection) async throws -> Page<Holder> {
        let afterName = page.after?[0]
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        // Case is folded by the server (lower()), for the match and the cursor alike.
        let pattern = name.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        let rows = try await connection.query("""
            SELECT \(unescaped: columns), lower(name) FROM holders
            WHERE (\(afterName)::text IS NULL OR (lower(name), id) > (\(afterName), \(afterID)))
              AND (\(pattern)::text IS NULL OR lower(name) LIKE lower(\(pattern)))
              AND (\(idNumber)::text IS NULL OR upper(id_number) = upper(\(idNumber)))
            ORDER BY lower(name), id
            LIMIT \(page.limit + 1)
            """, logger: FirearmStore.logger)
        var items: [Holder] = []
        var folded: [UUID: String] = [:]
        for try await row in rows {
            let holder = try decode(row)
            items.append(holder)
            folded[holder.id] = try row.makeRandomAccess()[10].decode(String.self)
        }
        return Page(fetched: items, limit: page.limit, key: { [folded[$0.id] ?? $0.name, $0.id.uuidString] })
    }
}
