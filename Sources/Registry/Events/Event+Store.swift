import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The firearm_events table: insert-only (Schema 0006 refuses UPDATE and DELETE).
enum EventStore {
    static let columns = """
        e.id, e.firearm_id, e.kind, e.occurred_on::text, e.transfer_kind, e.place, e.agency, e.document_ref, e.permit_number,
        e.counterpart_country, e.counterpart_holder_id, e.notes, e.status_after, e.firearm_version, e.recorded_by, e.recorded_at,
        e.voids_event_id, e.reason, e.historical, e.source_document, e.authority, e.certificate_number, e.certificate_standard,
        e.conversion, e.category_before, e.category_after,
        (SELECT v.id FROM firearm_events v WHERE v.voids_event_id = e.id), e.from_holder_id, e.cross_border::text, e.consignment_id
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
            firearmVersion: try c[13].decode(Int.self), recordedBy: try c[14].decode(String.self), recordedAt: try c[15].decode(Date.self),
            details: EventDetails(voidsEventID: try c[16].decode(UUID?.self), reason: try c[17].decode(String?.self),
                                  historical: try c[18].decode(Bool.self), sourceDocument: try c[19].decode(String?.self),
                                  authority: try c[20].decode(String?.self), certificateNumber: try c[21].decode(String?.self),
                                  certificateStandard: try c[22].decode(String?.self),
                                  conversion: try c[23].decode(String?.self).flatMap(ConversionKind.init(rawValue:)),
                                  categoryBefore: try c[24].decode(String?.self), categoryAfter: try c[25].decode(String?.self)),
            voidedBy: try c[26].decode(UUID?.self), fromHolderID: try c[27].decode(UUID?.self),
            crossBorder: try c[28].decode(String?.self).map { try JSONCoding.decoder.decode(CrossBorder.self, from: Data($0.utf8)) },
            consignmentID: try c[29].decode(UUID?.self))
    }

    static func insert(_ e: NewEvent, firearmID: UUID, statusAfter: FirearmStatus, version: Int, fromHolderID: UUID?,
                       consignmentID: UUID? = nil, by principal: Principal, on connection: PostgresConnection) async throws -> FirearmEvent {
        let id = UUID(), d = e.details
        let crossBorder = try e.crossBorder.map { String(decoding: try JSONCoding.encoder.encode($0), as: UTF8.self) }
        try await connection.query("""
            INSERT INTO firearm_events (id, firearm_id, kind, transfer_kind, occurred_on, place, agency, document_ref, permit_number,
                counterpart_country, counterpart_holder_id, notes, status_after, firearm_version, recorded_by, voids_event_id, reason,
                historical, source_document, authority, certificate_number, certificate_standard, conversion, category_before,
                category_after, from_holder_id, cross_border, consignment_id)
            VALUES (\(id), \(firearmID), \(e.kind.rawValue), \(e.transferKind?.rawValue), \(e.occurredOn.text)::date, \(e.place),
                \(e.agency), \(e.documentRef), \(e.permitNumber), \(e.counterpartCountry?.code), \(e.counterpartHolderID), \(e.notes),
                \(statusAfter.rawValue), \(version), \(principal.username), \(d.voidsEventID), \(d.reason), \(d.historical),
                \(d.sourceDocument), \(d.authority), \(d.certificateNumber), \(d.certificateStandard), \(d.conversion?.rawValue),
                \(d.categoryBefore), \(d.categoryAfter), \(fromHolderID), \(crossBorder)::jsonb, \(consignmentID))
            """, logger: FirearmStore.logger)
        guard let recorded = try await find(id: id, on: connection) else { throw Problem.internal(requestID: nil) }
        return recorded
    }

    static func find(id: UUID, on connection: PostgresConnection) async throws -> FirearmEvent? {
        let rows = try await connection.query("SELECT \(unescaped: columns) FROM firearm_events e WHERE e.id = \(id)", logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// The date of the firearm's latest event, if it has any.
    static func latestDate(firearmID: UUID, on connection: PostgresConnection) async throws -> CalendarDate? {
        let rows = try await connection.query("""
            SELECT max(occurred_on)::text FROM firearm_events e
            WHERE firearm_id = \(firearmID) AND kind <> 'voided'
              AND NOT EXISTS (SELECT 1 FROM firearm_events v WHERE v.voids_event_id = e.id)
            """, logger: FirearmStore.logger)
        for try await text in rows.decode(String?.self) { return text.flatMap { CalendarDate($0) } }
        return nil
    }

    static func list(firearmID: UUID, on connection: PostgresConnection) async throws -> [FirearmEvent] {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM firearm_events e WHERE e.firearm_id = \(firearmID) ORDER BY e.occurred_on, e.recorded_at
            """, logger: FirearmStore.logger)
        var events: [FirearmEvent] = []
        for try await row in rows { events.append(try decode(row)) }
        return events
    }
}
