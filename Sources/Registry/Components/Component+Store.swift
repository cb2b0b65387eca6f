import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The components and component_events tables, and the components' history.
enum ComponentStore {
    static let history = RecordHistory(table: "component_versions", key: "component_id")
    /// `CO-0000123`.
    static let references = ReferenceSeries.national("CO")
    static let columns = """
        id, reference, firearm_id, part, make, calibre, serial_marked, serial_normalized, other_markings, status, version, created_at, updated_at
        """
    static let eventColumns = "id, component_id, kind, occurred_on::text, place, agency, notes, status_after, recorded_by, recorded_at"

    static func decode(_ row: PostgresRow) throws -> Component {
        try decode(row.makeRandomAccess(), at: 0)
    }

    /// The component whose columns start at `b` (a row that carries other records' columns too).
    static func decode(_ c: PostgresRandomAccessRow, at b: Int) throws -> Component {
        Component(id: try c[b + 0].decode(UUID.self), reference: try c[b + 1].decode(String.self), firearmID: try c[b + 2].decode(UUID?.self),
                         part: ComponentPart(rawValue: try c[b + 3].decode(String.self)) ?? .frame, make: try c[b + 4].decode(String?.self),
                         calibre: try c[b + 5].decode(String?.self), serial: try c[b + 6].decode(String?.self),
                         serialNormalized: try c[b + 7].decode(String?.self), otherMarkings: try c[b + 8].decode(String?.self),
                         status: FirearmStatus(rawValue: try c[b + 9].decode(String.self)) ?? .registered, version: try c[b + 10].decode(Int.self),
                         createdAt: try c[b + 11].decode(Date.self), updatedAt: try c[b + 12].decode(Date.self))
    }

    static func all(_ rows: PostgresRowSequence) async throws -> [Component] {
        var items: [Component] = []
        for try await row in rows { items.append(try decode(row)) }
        return items
    }

    static func insert(_ new: NewComponent, firearmID: UUID?, now: Date, on connection: PostgresConnection) async throws -> Component {
        let normalized = new.serial.flatMap(Serial.normalize)
        let rows = try await connection.query("""
            INSERT INTO components (id, reference, firearm_id, part, make, calibre, serial_marked, serial_normalized, serial_folded, other_markings)
            VALUES (\(UUID()), \(unescaped: references.sqlExpression(at: now)), \(firearmID), \(new.part.rawValue), \(new.make), \(new.calibre),
                    \(new.serial), \(normalized), \(normalized.map(Serial.fold)), \(new.otherMarkings))
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        guard let component = try await all(rows).first else { throw Problem.internal(requestID: nil) }
        return component
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Component? {
        try await all(forUpdate
            ? connection.query("SELECT \(unescaped: columns) FROM components WHERE id = \(id) FOR UPDATE", logger: FirearmStore.logger)
            : connection.query("SELECT \(unescaped: columns) FROM components WHERE id = \(id)", logger: FirearmStore.logger)).first
    }

    static func of(firearmID: UUID, on connection: PostgresConnection) async throws -> [Component] {
        try await all(connection.query("SELECT \(unescaped: columns) FROM components WHERE firearm_id = \(firearmID) ORDER BY part, reference",
                                       logger: FirearmStore.logger))
    }

    static func setStatus(id: UUID, status: FirearmStatus, on connection: PostgresConnection) async throws -> Component {
        let rows = try await connection.query("""
            UPDATE components SET status = \(status.rawValue), version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id) RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        guard let component = try await all(rows).first else { throw Problem.notFound("no component \(id.uuidString.lowercased())") }
        return component
    }

    static func decodeEvent(_ row: PostgresRow) throws -> ComponentEvent {
        let c = row.makeRandomAccess()
        return ComponentEvent(id: try c[0].decode(UUID.self), componentID: try c[1].decode(UUID.self),
                              kind: EventKind(rawValue: try c[2].decode(String.self)) ?? .found, occurredOn: try CalendarDate.decode(c[3]),
                              place: try c[4].decode(String?.self), agency: try c[5].decode(String?.self), notes: try c[6].decode(String?.self),
                              statusAfter: FirearmStatus(rawValue: try c[7].decode(String.self)) ?? .registered,
                              recordedBy: try c[8].decode(String.self), recordedAt: try c[9].decode(Date.self))
    }

    static func insertEvent(_ event: NewEvent, componentID: UUID, statusAfter: FirearmStatus, by principal: Principal,
                            on connection: PostgresConnection) async throws -> ComponentEvent {
        let rows = try await connection.query("""
            INSERT INTO component_events (id, component_id, kind, occurred_on, place, agency, notes, status_after, recorded_by)
            VALUES (\(UUID()), \(componentID), \(event.kind.rawValue), \(event.occurredOn.text)::date, \(event.place), \(event.agency),
                    \(event.notes), \(statusAfter.rawValue), \(principal.username))
            RETURNING \(unescaped: eventColumns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decodeEvent(row) }
        throw Problem.internal(requestID: nil)
    }

    static func events(componentID: UUID, on connection: PostgresConnection) async throws -> [ComponentEvent] {
        let rows = try await connection.query("""
            SELECT \(unescaped: eventColumns) FROM component_events WHERE component_id = \(componentID) ORDER BY occurred_on, recorded_at
            """, logger: FirearmStore.logger)
        var events: [ComponentEvent] = []
        for try await row in rows { events.append(try decodeEvent(row)) }
        return events
    }

    /// Components whose serial matches `pattern` (see `FirearmStore.search`).
    static func search(_ pattern: Serial.Pattern, confusables: Bool, limit: Int, on connection: PostgresConnection) async throws -> [Component] {
        let like = pattern.like(folded: confusables)
        let known = pattern.knownText(folded: confusables)
        let exact = confusables ? Serial.fold(pattern.normalized) : pattern.normalized
        return try await all(confusables
            ? connection.query("""
                SELECT \(unescaped: columns) FROM components WHERE serial_folded LIKE \(like)
                ORDER BY (serial_folded = \(exact)) DESC, similarity(serial_folded, \(known)) DESC, reference LIMIT \(limit)
                """, logger: FirearmStore.logger)
            : connection.query("""
                SELECT \(unescaped: columns) FROM components WHERE serial_normalized LIKE \(like)
                ORDER BY (serial_normalized = \(exact)) DESC, similarity(serial_normalized, \(known)) DESC, reference LIMIT \(limit)
                """, logger: FirearmStore.logger))
    }
}
