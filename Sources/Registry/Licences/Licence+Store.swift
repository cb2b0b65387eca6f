import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The licences and licence_firearms tables, and the licences' history.
enum LicenceStore {
    static let history = RecordHistory(table: "licence_versions", key: "licence_id")
    /// The transfer by the licence's holder that ended its cover of `lf.firearm_id`, if any (a
    /// voided transfer ends nothing).
    static let endingTransfer = """
        SELECT e.id, e.occurred_on FROM firearm_events e
        WHERE e.firearm_id = lf.firearm_id AND e.kind = 'transferred' AND e.from_holder_id = l.holder_id AND e.recorded_at >= lf.added_at
          AND NOT EXISTS (SELECT 1 FROM firearm_events v WHERE v.voids_event_id = e.id)
        ORDER BY e.occurred_on, e.recorded_at LIMIT 1
        """
    static let columnList = """
        l.id, l.number, l.holder_id, l.kind, l.issuing_authority, l.valid_from::text, l.valid_until::text, l.status, l.status_reason,
        coalesce((SELECT array_agg(lf.firearm_id ORDER BY lf.added_at, lf.firearm_id) FROM licence_firearms lf
                  WHERE lf.licence_id = l.id AND NOT EXISTS (\(endingTransfer))), '{}'),
        l.version, l.created_at, l.updated_at,
        coalesce((SELECT jsonb_agg(jsonb_build_object('firearm_id', lf.firearm_id, 'event_id', t.id, 'ended_on', t.occurred_on::text)
                                   ORDER BY t.occurred_on, lf.firearm_id)
                  FROM licence_firearms lf CROSS JOIN LATERAL (\(endingTransfer)) t WHERE lf.licence_id = l.id), '[]')::text,
        l.conditions::text
        """

    static func decode(_ row: PostgresRow, today: CalendarDate) throws -> Licence {
        try decode(row.makeRandomAccess(), at: 0, today: today)
    }

    /// The licence whose columns start at `b` (a row that carries other records' columns too).
    static func decode(_ c: PostgresRandomAccessRow, at b: Int, today: CalendarDate) throws -> Licence {
        let status = LicenceStatus(rawValue: try c[b + 7].decode(String.self)) ?? .active
        let from = try CalendarDate.decode(c[b + 5]), until = try CalendarDate.decode(c[b + 6])
        return Licence(id: try c[b + 0].decode(UUID.self), number: try c[b + 1].decode(String.self), holderID: try c[b + 2].decode(UUID.self),
                       kind: LicenceKind(rawValue: try c[b + 3].decode(String.self)) ?? .other, issuingAuthority: try c[b + 4].decode(String.self),
                       validFrom: from, validUntil: until, status: status, statusReason: try c[b + 8].decode(String?.self),
                       effectiveStatus: .of(status, from: from, until: until, today: today),
                       firearmIDs: try c[b + 9].decode([UUID].self),
                       endedCover: try JSONCoding.decoder.decode([EndedCover].self, from: Data(try c[b + 13].decode(String.self).utf8)),
                       conditions: try JSONCoding.decoder.decode([LicenceCondition].self, from: Data(try c[b + 14].decode(String.self).utf8)),
                       version: try c[b + 10].decode(Int.self), createdAt: try c[b + 11].decode(Date.self), updatedAt: try c[b + 12].decode(Date.self))
    }

    static func all(_ rows: PostgresRowSequence, today: CalendarDate) async throws -> [Licence] {
        var licences: [Licence] = []
        for try await row in rows { licences.append(try decode(row, today: today)) }
        return licences
    }

    static func insert(_ new: NewLicence, on connection: PostgresConnection) async throws -> UUID {
        let id = UUID()
        try await connection.query("""
            INSERT INTO licences (id, number, holder_id, kind, issuing_authority, valid_from, valid_until, conditions)
            VALUES (\(id), \(new.number), \(new.holderID), \(new.kind.rawValue), \(new.issuingAuthority), \(new.validFrom.text)::date,
                    \(new.validUntil.text)::date, \(String(decoding: try JSONCoding.encoder.encode(new.conditions), as: UTF8.self))::jsonb)
            """, logger: FirearmStore.logger)
        let firearms = Array(Set(new.firearmIDs))
        if !firearms.isEmpty {
            try await connection.query("""
                INSERT INTO licence_firearms (licence_id, firearm_id) SELECT \(id), f FROM unnest(\(firearms)::uuid[]) AS f
                """, logger: FirearmStore.logger)
        }
        return id
    }

    static func update(id: UUID, _ changes: LicenceChanges, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE licences SET status = coalesce(\(changes.status?.rawValue), status),
                status_reason = CASE WHEN \(changes.status?.rawValue)::text IS NULL THEN coalesce(\(changes.statusReason), status_reason)
                                     ELSE \(changes.statusReason) END,
                valid_until = coalesce(\(changes.validUntil?.text)::date, valid_until),
                conditions = coalesce(\(try changes.conditions.map { String(decoding: try JSONCoding.encoder.encode($0), as: UTF8.self) })::jsonb, conditions),
                version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            """, logger: FirearmStore.logger)
    }

    static func find(id: UUID, today: CalendarDate, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Licence? {
        let rows = try await connection.query("""
            SELECT \(unescaped: columnList) FROM licences l WHERE l.id = \(id) \(unescaped: forUpdate ? "FOR UPDATE OF l" : "")
            """, logger: FirearmStore.logger)
        return try await all(rows, today: today).first
    }

    /// The ids among `ids` that name no firearm.
    static func unknownFirearms(_ ids: [UUID], on connection: PostgresConnection) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query("SELECT id FROM firearms WHERE id = ANY(\(ids)::uuid[])", logger: FirearmStore.logger)
        var known = Set<UUID>()
        for try await id in rows.decode(UUID.self) { known.insert(id) }
        return Set(ids).subtracting(known)
    }

    static func covering(firearmID: UUID, today: CalendarDate, on connection: PostgresConnection) async throws -> [Licence] {
        let rows = try await connection.query("""
            SELECT \(unescaped: columnList) FROM licences l
            WHERE l.id IN (SELECT lf.licence_id FROM licence_firearms lf JOIN licences l ON l.id = lf.licence_id
                           WHERE lf.firearm_id = \(firearmID) AND NOT EXISTS (\(unescaped: endingTransfer)))
            ORDER BY l.valid_until DESC, l.id
            """, logger: FirearmStore.logger)
        return try await all(rows, today: today)
    }

    static func list(holderID: UUID?, page: PageRequest, today: CalendarDate, on connection: PostgresConnection) async throws -> Page<Licence> {
        let after = page.after?[0]
        let rows = try await connection.query("""
            SELECT \(unescaped: columnList) FROM licences l
            WHERE (\(after)::text IS NULL OR l.number > \(after))
              AND (\(holderID)::uuid IS NULL OR l.holder_id = \(holderID))
            ORDER BY l.number
            LIMIT \(page.limit + 1)
            """, logger: FirearmStore.logger)
        return Page(fetched: try await all(rows, today: today), limit: page.limit, key: { [$0.number] })
    }
}
