import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The holders table and its history.
enum HolderStore {
    static let history = RecordHistory(table: "holder_versions", key: "holder_id")
    static let columns = """
        id, reference, kind, name, id_number, address, country, version, created_at, updated_at,
        date_of_birth::text, nationality, id_document_kind, ceased_on::text, ceased_authority
        """
    /// Strict word similarity (pg_trgm) at or above which a name matches a misspelt query: 0.3
    /// finds "Campbell" for "Cambel" (0.33) but not "Camille Bell" (0.25).
    static let nameSimilarity = "0.3"

    static func decode(_ row: PostgresRow) throws -> Holder {
        let c = row.makeRandomAccess()
        return Holder(id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self),
                      kind: HolderKind(rawValue: try c[2].decode(String.self)) ?? .other,
                      name: try c[3].decode(String.self), idNumber: try c[4].decode(String?.self), address: try c[5].decode(String?.self),
                      country: try Country.decode(c[6]), dateOfBirth: try CalendarDate.decodeIfPresent(c[10]),
                      nationality: try c[11].decode(String?.self).flatMap(Country.init),
                      idDocumentKind: try c[12].decode(String?.self).flatMap(IDDocumentKind.init(rawValue:)),
                      ceasedOn: try CalendarDate.decodeIfPresent(c[13]), ceasedAuthority: try c[14].decode(String?.self),
                      version: try c[7].decode(Int.self), createdAt: try c[8].decode(Date.self), updatedAt: try c[9].decode(Date.self))
    }

    static func insert(_ h: NewHolder, now: Date, on connection: PostgresConnection) async throws -> Holder {
        let rows = try await connection.query("""
            INSERT INTO holders (id, reference, kind, name, id_number, address, country, date_of_birth, nationality, id_document_kind)
            VALUES (\(UUID()), \(unescaped: Registry.holderReferences.sqlExpression(at: now)), \(h.kind.rawValue), \(h.name), \(h.idNumber),
                    \(h.address), \(h.country.code), \(h.dateOfBirth?.text)::date, \(h.nationality?.code), \(h.idDocumentKind?.rawValue))
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    static func update(id: UUID, _ h: NewHolder, on connection: PostgresConnection) async throws -> Holder {
        let rows = try await connection.query("""
            UPDATE holders SET kind = \(h.kind.rawValue), name = \(h.name), id_number = \(h.idNumber), address = \(h.address),
                country = \(h.country.code), date_of_birth = \(h.dateOfBirth?.text)::date, nationality = \(h.nationality?.code),
                id_document_kind = \(h.idDocumentKind?.rawValue), version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
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

    /// By name (a substring, or a misspelling of a word of it: trigram-indexed, case-insensitive),
    /// identity number (exact) and/or date of birth, in name order.
    static func list(name: String?, idNumber: String?, dateOfBirth: CalendarDate?, page: PageRequest,
                     on connection: PostgresConnection) async throws -> Page<Holder> {
        let afterName = page.after?[0]
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        // Case is folded by the server (lower()), for the match and the cursor alike.
        let pattern = name.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        // The `<<%` operator (strict word similarity above the threshold) is what the gin index
        // serves; the threshold is set for this transaction only.
        for try await _ in try await connection.query(
            "SELECT set_config('pg_trgm.strict_word_similarity_threshold', \(nameSimilarity), true)", logger: FirearmStore.logger) {}
        let rows = try await connection.query("""
            SELECT \(unescaped: columns), lower(name) FROM holders
            WHERE (\(afterName)::text IS NULL OR (lower(name), id) > (\(afterName), \(afterID)))
              AND (\(pattern)::text IS NULL OR lower(name) LIKE lower(\(pattern)) OR lower(\(name)) <<% lower(name))
              AND (\(idNumber)::text IS NULL OR upper(id_number) = upper(\(idNumber)))
              AND (\(dateOfBirth?.text)::date IS NULL OR date_of_birth = \(dateOfBirth?.text)::date)
            ORDER BY lower(name), id
            LIMIT \(page.limit + 1)
            """, logger: FirearmStore.logger)
        var items: [Holder] = []
        var folded: [UUID: String] = [:]
        for try await row in rows {
            let holder = try decode(row)
            items.append(holder)
            folded[holder.id] = try row.makeRandomAccess()[15].decode(String.self)
        }
        return Page(fetched: items, limit: page.limit, key: { [folded[$0.id] ?? $0.name, $0.id.uuidString] })
    }
}
