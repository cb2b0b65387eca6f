import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import Logging
import PostgresNIO

/// The seizures and seizure_firearms tables, and the seizures' history.
enum SeizureStore {
    static let history = RecordHistory(table: "seizure_versions", key: "seizure_id")
    static let logger = AuditWriter.quietLogger
    static let columns = """
        s.id, s.reference, s.agency, s.officer, s.seized_on::text, s.country, s.region, s.place, s.latitude, s.longitude, s.context,
        s.concealment, s.persons::text, s.parts::text, s.ammunition::text, s.notes, s.created_by, s.version, s.created_at, s.updated_at,
        coalesce((SELECT jsonb_agg(jsonb_build_object('firearm_id', f.firearm_id, 'firearm_reference', f.firearm_reference,
                                                      'registry_record', f.registry_record) ORDER BY f.position)
                  FROM seizure_firearms f WHERE f.seizure_id = s.id), '[]')::text
        """

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ cell: PostgresCell) throws -> T {
        try JSONCoding.decoder.decode(T.self, from: Data(try cell.decode(String.self).utf8))
    }

    static func decode(_ row: PostgresRow) throws -> Seizure {
        let c = row.makeRandomAccess()
        return Seizure(id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self), agency: try c[2].decode(String.self),
                       officer: try c[3].decode(String.self), seizedOn: try CalendarDate.decode(c[4]), country: try Country.decode(c[5]),
                       region: try c[6].decode(String?.self), place: try c[7].decode(String?.self),
                       latitude: try c[8].decode(Double?.self), longitude: try c[9].decode(Double?.self),
                       context: SeizureContext(rawValue: try c[10].decode(String.self)) ?? .inland,
                       concealment: try c[11].decode(String?.self), persons: try decodeJSON([SeizedPerson].self, c[12]),
                       firearms: try decodeJSON([SeizedFirearm].self, c[20]),
                       parts: try decodeJSON([SeizedPart].self, c[13]), ammunition: try decodeJSON([SeizedAmmunition].self, c[14]),
                       notes: try c[15].decode(String?.self), createdBy: try c[16].decode(String.self), version: try c[17].decode(Int.self),
                       createdAt: try c[18].decode(Date.self), updatedAt: try c[19].decode(Date.self))
    }

    static func insert(id: UUID, reference: String, _ f: SeizureFields, createdBy: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO seizures (id, reference, agency, officer, seized_on, country, region, place, latitude, longitude, context,
                                  concealment, persons, parts, ammunition, notes, created_by)
            VALUES (\(id), \(reference), \(f.agency), \(f.officer), \(f.seizedOn.text)::date, \(f.country.code), \(f.region), \(f.place),
                    \(f.latitude), \(f.longitude), \(f.context.rawValue), \(f.concealment), \(try json(f.persons))::jsonb,
                    \(try json(f.parts))::jsonb, \(try json(f.ammunition))::jsonb, \(f.notes), \(createdBy))
            """, logger: logger)
    }

    static func insertFirearms(_ firearms: [SeizedFirearm], seizureID: UUID, on connection: PostgresConnection) async throws {
        for (position, firearm) in firearms.enumerated() {
            try await connection.query("""
                INSERT INTO seizure_firearms (seizure_id, position, firearm_id, firearm_reference, registry_record)
                VALUES (\(seizureID), \(position), \(firearm.firearmID), \(firearm.firearmReference), \(firearm.registryRecord.rawValue))
                """, logger: logger)
        }
    }

    /// A correction: the seizure locked, its fields written as the next version.
    static let correction = Correction<Seizure, SeizureFields>(
        recordType: "seizure", history: history,
        lock: { id, connection in try await find(id: id, forUpdate: true, on: connection) },
        write: { id, fields, connection in try await update(id: id, fields, on: connection) },
        fields: \.fields, version: \.version, label: { "seizure \($0.reference)" }, changed: SeizureFields.table.changed)

    /// Writes the seizure's fields as the next version; answers the seizure as it became.
    static func update(id: UUID, _ f: SeizureFields, on connection: PostgresConnection) async throws -> Seizure {
        let rows = try await connection.query("""
            UPDATE seizures s SET agency = \(f.agency), officer = \(f.officer), seized_on = \(f.seizedOn.text)::date, country = \(f.country.code),
                region = \(f.region), place = \(f.place), latitude = \(f.latitude), longitude = \(f.longitude), context = \(f.context.rawValue),
                concealment = \(f.concealment), persons = \(try json(f.persons))::jsonb, parts = \(try json(f.parts))::jsonb,
                ammunition = \(try json(f.ammunition))::jsonb, notes = \(f.notes), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE s.id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no seizure \(id.uuidString.lowercased())")
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Seizure? {
        let rows = forUpdate
            ? try await connection.query("SELECT \(unescaped: columns) FROM seizures s WHERE s.id = \(id) FOR UPDATE", logger: logger)
            : try await connection.query("SELECT \(unescaped: columns) FROM seizures s WHERE s.id = \(id)", logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    struct ListFilter: Sendable {
        var country: Country?
        var context: SeizureContext?
        var from: CalendarDate?
        var to: CalendarDate?
        var firearmID: UUID?
        /// Who lists: a liaison officer sees the seizures `seizure_visible` gives them (migration 0036).
        var viewer: UUID?
        var clearance: Clearance = .standard
        var tracedOnly = false
    }

    /// Whether `principal` may see seizure `id` (`seizure_visible`, migration 0036).
    static func visible(_ id: UUID, to principal: Principal, on connection: PostgresConnection) async throws -> Bool {
        guard principal.readsSeizuresThroughTraces else { return true }
        let rows = try await connection.query("""
            SELECT seizure_visible(\(id), \(principal.userID), \(principal.clearance.rawValue), true)
            """, logger: logger)
        for try await value in rows.decode(Bool.self) { return value }
        return false
    }

    /// Newest seizure first (date, then id), keyset-paginated.
    static func list(_ filter: ListFilter, page: PageRequest, on connection: PostgresConnection) async throws -> Page<Seizure> {
        let afterDate = page.after?[0]
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM seizures s
            WHERE (\(afterDate)::date IS NULL OR (s.seized_on, s.id) < (\(afterDate)::date, \(afterID)::uuid))
              AND (\(filter.country?.code)::text IS NULL OR s.country = \(filter.country?.code))
              AND (\(filter.context?.rawValue)::text IS NULL OR s.context = \(filter.context?.rawValue))
              AND (\(filter.from?.text)::date IS NULL OR s.seized_on >= \(filter.from?.text)::date)
              AND (\(filter.to?.text)::date IS NULL OR s.seized_on <= \(filter.to?.text)::date)
              AND (\(filter.firearmID)::uuid IS NULL
                   OR EXISTS (SELECT 1 FROM seizure_firearms f WHERE f.seizure_id = s.id AND f.firearm_id = \(filter.firearmID)))
              AND (NOT \(filter.tracedOnly) OR seizure_visible(s.id, \(filter.viewer), \(filter.clearance.rawValue), true))
            ORDER BY s.seized_on DESC, s.id DESC
            LIMIT \(page.limit + 1)
            """, logger: logger)
        var items: [Seizure] = []
        for try await row in rows { items.append(try decode(row)) }
        return Page(fetched: items, limit: page.limit, key: { [$0.seizedOn.text, $0.id.uuidString] })
    }
}
