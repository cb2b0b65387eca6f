import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// The firearm_events table: insert-only (Schema 0006 refuses UPDATE and DELETE).
enum EventStore {
    static let columns = """
        id, firearm_id, kind, occurred_on::text, transfer_kind, place, agency, document_ref, permit_number,
        counterpart_country, counterpart_holder_id, notes, status_after, firearm_version, recorded_by, recorded_at
        """

    static func decode(_ row: PostgresRow) throws -> FirearmEvent {
        let c = row.makeRandomAccess()
        return FirearmEvent(
            id: try c[0].decode(UUID.self), firearmID: try c[1].decode(UUID.self),
            kind: EventKind(rawValue: try c[2].decode(String.self)) ?? .registered,
            occurredOn: try CalendarDate.decode(c[3]),
            transferKind: try c[4].decode(String?.self).flatMap(TransferKind.init(rawValue:)), place: try c[5].decode(String?.self),
            agency: try c[6].decode(String?.self), documentRef: try c[7].decode(String?.self), permitNumber: try c[8].decode(String?.self),
            counterpartCountry: try c[9].decode(String?.self).flatMap(Country.init), counterpartHolderID: try c[10].decode(UUID?.self),
            notes: try c[11].decode(String?.self), statusAfter: FirearmStatus(rawValue: try c[12].decode(String.self)) ?? .registered,
            firearmVersion: try c[13].decode(Int.self), recordedBy: try c[14].decode(String.self), recordedAt: try c[15].decode(Date.self))
    }

    static func insert(_ e: NewEvent, firearmID: UUID, statusAfter: FirearmStatus, version: Int, by principal: Principal,
                       on connection: PostgresConnection) async throws -> FirearmEvent {
        let rows = try await connection.query("""
            INSERT INTO firearm_events (id, firearm_id, kind, transfer_kind, occurred_on, place, agency, document_ref, permit_number,
                counterpart_country, counterpart_holder_id, notes, status_after, firearm_version, recorded_by)
            VALUES (\(UUID()), \(firearmID), \(e.kind.rawValue), \(e.transferKind?.rawValue), \(e.occurredOn.text)::date, \(e.place),
                \(e.agency), \(e.documentRef), \(e.permitNumber), \(e.counterpartCountry?.code), \(e.counterpartHolderID), \(e.notes),
                \(statusAfter.rawValue), \(version), \(principal.username))
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    /// The date of the firearm's latest event, if it has any.
    static func latestDate(firearmID: UUID, on connection: PostgresConnection) async throws -> CalendarDate? {
        let rows = try await connection.query("SELECT max(occurred_on)::text FROM firearm_events WHERE firearm_id = \(firearmID)",
                                              logger: FirearmStore.logger)
        for try await text in rows.decode(String?.self) { return text.flatMap { CalendarDate($0) } }
        return nil
    }

    static func list(firearmID: UUID, on connection: PostgresConnection) async throws -> [FirearmEvent] {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM firearm_events WHERE firearm_id = \(firearmID) ORDER BY occurred_on, recorded_at
            """, logger: FirearmStore.logger)
        var events: [FirearmEvent] = []
        for try await row in rows { events.append(try decode(row)) }
        return events
    }
}
