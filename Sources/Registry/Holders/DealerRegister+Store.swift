import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

extension HolderStore {
    /// A dealer's register in date order: firearms registered to it, transfers to it (in) and from
    /// it (out); voided transfers are not entries.
    static func register(holderID: UUID, page: PageRequest, on connection: PostgresConnection) async throws -> Page<RegisterEntry> {
        let afterDate = page.after?[0]
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let rows = try await connection.query("""
            WITH entries AS (
                SELECT 'in' AS direction, e.id AS entry_id, e.kind, e.occurred_on, e.firearm_id, e.from_holder_id AS party_id,
                       e.counterpart_country AS party_country
                FROM firearm_events e
                WHERE e.counterpart_holder_id = \(holderID) AND e.kind = 'transferred'
                  AND NOT EXISTS (SELECT 1 FROM firearm_events v WHERE v.voids_event_id = e.id)
                UNION ALL
                SELECT 'out', e.id, e.kind, e.occurred_on, e.firearm_id, e.counterpart_holder_id, e.counterpart_country
                FROM firearm_events e
                WHERE e.from_holder_id = \(holderID) AND e.kind = 'transferred'
                  AND NOT EXISTS (SELECT 1 FROM firearm_events v WHERE v.voids_event_id = e.id)
                UNION ALL
                SELECT 'in', f.id, 'registered', (f.created_at AT TIME ZONE 'UTC')::date, f.id, NULL, NULL
                FROM firearms f WHERE f.registered_holder_id = \(holderID)
            )
            SELECT r.direction, r.entry_id, r.kind, r.occurred_on::text, r.firearm_id, f.reference, f.make, f.model, f.serial_marked,
                   r.party_id, h.name, r.party_country
            FROM entries r JOIN firearms f ON f.id = r.firearm_id LEFT JOIN holders h ON h.id = r.party_id
            WHERE (\(afterDate)::date IS NULL OR (r.occurred_on, r.entry_id) > (\(afterDate)::date, \(afterID)))
            ORDER BY r.occurred_on, r.entry_id
            LIMIT \(page.limit + 1)
            """, logger: FirearmStore.logger)
        var entries: [RegisterEntry] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            entries.append(RegisterEntry(
                direction: RegisterEntry.Direction(rawValue: try c[0].decode(String.self)) ?? .in, entryID: try c[1].decode(UUID.self),
                kind: try c[2].decode(String.self), occurredOn: try CalendarDate.decode(c[3]), firearmID: try c[4].decode(UUID.self),
                firearmReference: try c[5].decode(String.self), make: try c[6].decode(String.self), model: try c[7].decode(String?.self),
                serial: try c[8].decode(String?.self), counterpartyHolderID: try c[9].decode(UUID?.self),
                counterpartyName: try c[10].decode(String?.self), counterpartyCountry: try c[11].decode(String?.self).flatMap(Country.init)))
        }
        return Page(fetched: entries, limit: page.limit, key: { [$0.occurredOn.text, $0.entryID.uuidString] })
    }

    static func cease(id: UUID, _ cessation: Cessation, on connection: PostgresConnection) async throws -> Holder {
        let rows = try await connection.query("""
            UPDATE holders SET ceased_on = \(cessation.ceasedOn.text)::date, ceased_authority = \(cessation.authority),
                version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no holder \(id.uuidString.lowercased())")
    }
}
