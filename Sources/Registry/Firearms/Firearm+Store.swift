import Foundation
import IFCCore
import IFCStore
import Logging
import PostgresNIO
import RegistryAPI

/// The firearms table. Every function runs on a connection the caller chose, so that a change,
/// its version row and its audit entry share one transaction.
enum FirearmStore {
    static let logger = Logger(label: "ifcd.registry.sql", factory: { _ in SwiftLogNoOpLogHandler() })
    static let history = RecordHistory(table: "firearm_versions", key: "firearm_id")
    static let columns = """
        id, reference, make, model, type, calibre, serial_marked, serial_normalized, other_markings,
        country_of_manufacture, year_of_manufacture, import_country, import_year, importer, barrel_length_mm,
        action, notes, status, holder_id, version, created_at, updated_at, manufacturer, place_of_manufacture,
        alternative_marking, marking_part, civilian_marking, state_marking, marking_condition, restoration_method,
        restoration_case, category, record_origin
        """

    static func decode(_ row: PostgresRow) throws -> Firearm {
        try decode(row.makeRandomAccess(), at: 0)
    }

    /// The firearm whose columns start at `b` (a row that carries other records' columns too).
    static func decode(_ c: PostgresRandomAccessRow, at b: Int) throws -> Firearm {
        Firearm(
            id: try c[b + 0].decode(UUID.self), reference: try c[b + 1].decode(String.self), make: try c[b + 2].decode(String.self),
            model: try c[b + 3].decode(String?.self), type: FirearmType(rawValue: try c[b + 4].decode(String.self)) ?? .other,
            calibre: try c[b + 5].decode(String.self), serial: try c[b + 6].decode(String?.self), serialNormalized: try c[b + 7].decode(String?.self),
            otherMarkings: try c[b + 8].decode(String?.self), countryOfManufacture: try c[b + 9].decode(String?.self).flatMap(Country.init),
            yearOfManufacture: try c[b + 10].decode(Int?.self), importCountry: try c[b + 11].decode(String?.self).flatMap(Country.init),
            importYear: try c[b + 12].decode(Int?.self), importer: try c[b + 13].decode(String?.self),
            barrelLengthMM: try c[b + 14].decode(Int?.self), action: try c[b + 15].decode(String?.self), notes: try c[b + 16].decode(String?.self),
            manufacturer: try c[b + 22].decode(String?.self), placeOfManufacture: try c[b + 23].decode(String?.self),
            alternativeMarking: try c[b + 24].decode(String?.self), markingPart: try c[b + 25].decode(String?.self).flatMap(MarkingPart.init(rawValue:)),
            civilianMarking: try c[b + 26].decode(String?.self), stateMarking: try c[b + 27].decode(String?.self),
            markingCondition: MarkingCondition(rawValue: try c[b + 28].decode(String.self)) ?? .legible,
            restorationMethod: try c[b + 29].decode(String?.self), restorationCase: try c[b + 30].decode(String?.self),
            category: try c[b + 31].decode(String?.self), recordOrigin: RecordOrigin(rawValue: try c[b + 32].decode(String.self)) ?? .illicit,
            status: FirearmStatus(rawValue: try c[b + 17].decode(String.self)) ?? .registered, holderID: try c[b + 18].decode(UUID?.self),
            version: try c[b + 19].decode(Int.self), createdAt: try c[b + 20].decode(Date.self), updatedAt: try c[b + 21].decode(Date.self))
    }

    static func one(_ rows: PostgresRowSequence) async throws -> Firearm? {
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func all(_ rows: PostgresRowSequence) async throws -> [Firearm] {
        var items: [Firearm] = []
        for try await row in rows { items.append(try decode(row)) }
        return items
    }

    static func insert(id: UUID, _ d: FirearmDescription, holderID: UUID?, now: Date, on connection: PostgresConnection) async throws -> Firearm {
        let normalized = d.serial.flatMap(Serial.normalize)
        let rows = try await connection.query("""
            INSERT INTO firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded,
                other_markings, country_of_manufacture, year_of_manufacture, import_country, import_year, importer,
                barrel_length_mm, action, notes, holder_id, registered_holder_id, manufacturer, place_of_manufacture,
                alternative_marking, marking_part, civilian_marking, state_marking, marking_condition, restoration_method,
                restoration_case, category, record_origin)
            VALUES (\(id), \(unescaped: Registry.firearmReferences.sqlExpression(at: now)), \(d.make), \(d.model), \(d.type.rawValue),
                \(d.calibre), \(d.serial), \(normalized), \(normalized.map(Serial.fold)), \(d.otherMarkings), \(d.countryOfManufacture?.code),
                \(d.yearOfManufacture), \(d.importCountry?.code), \(d.importYear), \(d.importer), \(d.barrelLengthMM), \(d.action),
                \(d.notes), \(holderID), \(holderID), \(d.manufacturer), \(d.placeOfManufacture), \(d.alternativeMarking),
                \(d.markingPart?.rawValue), \(d.civilianMarking), \(d.stateMarking), \(d.markingCondition.rawValue),
                \(d.restorationMethod), \(d.restorationCase), \(d.category), \(d.recordOrigin.rawValue))
            RETURNING \(unescaped: columns)
            """, logger: logger)
        guard let firearm = try await one(rows) else { throw Problem.internal(requestID: nil) }
        return firearm
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Firearm? {
        try await one(forUpdate
            ? connection.query("SELECT \(unescaped: columns) FROM firearms WHERE id = \(id) FOR UPDATE", logger: logger)
            : connection.query("SELECT \(unescaped: columns) FROM firearms WHERE id = \(id)", logger: logger))
    }

    static func find(reference: String, on connection: PostgresConnection) async throws -> Firearm? {
        try await one(connection.query("SELECT \(unescaped: columns) FROM firearms WHERE reference = \(reference)", logger: logger))
    }

    static func exists(id: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM firearms WHERE id = \(id)", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The record a new registration would duplicate, if any.
    static func duplicate(of d: FirearmDescription, excluding: UUID?, on connection: PostgresConnection) async throws -> Firearm? {
        // Without a serial, nothing identifies a firearm as one already recorded.
        guard let serial = d.serial.flatMap(Serial.normalize) else { return nil }
        return try await one(connection.query("""
            SELECT \(unescaped: columns) FROM firearms
            WHERE lower(make) = lower(\(d.make)) AND serial_normalized = \(serial)
              AND type = \(d.type.rawValue) AND lower(calibre) = lower(\(d.calibre))
              AND (\(excluding)::uuid IS NULL OR id <> \(excluding))
            """, logger: logger))
    }

    static func update(id: UUID, _ d: FirearmDescription, on connection: PostgresConnection) async throws -> Firearm {
        let normalized = d.serial.flatMap(Serial.normalize)
        let rows = try await connection.query("""
            UPDATE firearms SET make = \(d.make), model = \(d.model), type = \(d.type.rawValue), calibre = \(d.calibre),
                serial_marked = \(d.serial), serial_normalized = \(normalized), serial_folded = \(normalized.map(Serial.fold)),
                manufacturer = \(d.manufacturer), place_of_manufacture = \(d.placeOfManufacture),
                alternative_marking = \(d.alternativeMarking), marking_part = \(d.markingPart?.rawValue),
                civilian_marking = \(d.civilianMarking), state_marking = \(d.stateMarking),
                marking_condition = \(d.markingCondition.rawValue), restoration_method = \(d.restorationMethod),
                restoration_case = \(d.restorationCase), category = \(d.category), record_origin = \(d.recordOrigin.rawValue),
                other_markings = \(d.otherMarkings), country_of_manufacture = \(d.countryOfManufacture?.code),
                year_of_manufacture = \(d.yearOfManufacture), import_country = \(d.importCountry?.code), import_year = \(d.importYear),
                importer = \(d.importer), barrel_length_mm = \(d.barrelLengthMM), action = \(d.action), notes = \(d.notes),
                version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        guard let firearm = try await one(rows) else { throw Problem.notFound("no firearm \(id)") }
        return firearm
    }

    /// The holder the firearm was registered to: where a replay of its timeline starts.
    static func registeredHolder(id: UUID, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query("SELECT registered_holder_id FROM firearms WHERE id = \(id)", logger: logger)
        for try await holder in rows.decode(UUID?.self) { return holder }
        return nil
    }

    static func setStatus(id: UUID, status: FirearmStatus, holderID: UUID?, category: String?,
                          on connection: PostgresConnection) async throws -> Firearm {
        let rows = try await connection.query("""
            UPDATE firearms SET status = \(status.rawValue), holder_id = \(holderID), category = \(category), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        guard let firearm = try await one(rows) else { throw Problem.notFound("no firearm \(id)") }
        return firearm
    }

    struct ListFilter: Sendable {
        var serial: String?
        var make: String?
        var model: String?
        var type: FirearmType?
        var calibre: String?
        var status: FirearmStatus?
        var holderID: UUID?
        var country: Country?
        var origin: RecordOrigin?
        /// Flagged by the reference table (true) or not (false).
        var needsReview: Bool?
        /// Destroyed firearms whose retention period for `use` has passed by `today` and that no
        /// one has decided on yet.
        var retentionDue: (use: RetentionUse, years: Int, today: CalendarDate)?
    }

    /// The date a destroyed firearm's retention periods run from: its (not voided) destruction.
    static let destroyedOn = """
        (SELECT max(e.occurred_on) FROM firearm_events e WHERE e.firearm_id = firearms.id AND e.kind = 'destroyed'
           AND NOT EXISTS (SELECT 1 FROM firearm_events v WHERE v.voids_event_id = e.id))
        """

    /// Keyset page ordered by reference (the national number, issued in order).
    static func list(_ f: ListFilter, page: PageRequest, on connection: PostgresConnection) async throws -> Page<Firearm> {
        let after = page.after?[0]
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM firearms
            WHERE (\(after)::text IS NULL OR reference > \(after))
              AND (\(f.serial)::text IS NULL OR serial_normalized = \(f.serial))
              AND (\(f.make)::text IS NULL OR lower(make) = lower(\(f.make)))
              AND (\(f.model)::text IS NULL OR lower(model) = lower(\(f.model)))
              AND (\(f.type?.rawValue)::text IS NULL OR type = \(f.type?.rawValue))
              AND (\(f.calibre)::text IS NULL OR lower(calibre) = lower(\(f.calibre)))
              AND (\(f.status?.rawValue)::text IS NULL OR status = \(f.status?.rawValue))
              AND (\(f.holderID)::uuid IS NULL OR holder_id = \(f.holderID))
              AND (\(f.country?.code)::text IS NULL OR country_of_manufacture = \(f.country?.code))
              AND (\(f.origin?.rawValue)::text IS NULL OR record_origin = \(f.origin?.rawValue))
              AND (\(f.needsReview)::boolean IS NULL OR (review_flags <> '{}') = \(f.needsReview))
              AND (\(f.retentionDue?.use.rawValue)::text IS NULL OR (
                   status = 'destroyed'
                   AND \(unescaped: destroyedOn) + make_interval(years => \(f.retentionDue?.years ?? 0)::int) <= \(f.retentionDue?.today.text)::date
                   AND NOT EXISTS (SELECT 1 FROM retention_decisions d WHERE d.firearm_id = firearms.id AND d.use = \(f.retentionDue?.use.rawValue))))
            ORDER BY reference
            LIMIT \(page.limit + 1)
            """, logger: logger)
        return Page(fetched: try await all(rows), limit: page.limit, key: { [$0.reference] })
    }
}

extension FirearmStore {
    /// `GET /v1/firearms/{id}` in one prepared statement and one round trip: the firearm with
    /// its review flags, the licences covering it and its components, as rows of one result
    /// (a kind and an order in the first two columns, then each record's columns at its own
    /// offset, the others null). Four statements before, two of them parsed and planned each time.
    struct DetailStatement: PostgresPreparedStatement {
        enum Row: Sendable {
            case firearm(Firearm, [ReviewFlag])
            case licence(Licence)
            case component(Component)
        }

        /// Where each record's columns start in a row (its review flags are the firearm's last column).
        static let firearmAt = 2, flagsAt = firearmAt + firearmColumns.types.count - 1
        static let licenceAt = firearmAt + firearmColumns.types.count, componentAt = licenceAt + licenceColumns.types.count

        /// Each record's columns (as the branch that carries it selects them) and their types,
        /// for the typed nulls of the branches that do not (bare NULLs in three branches would
        /// resolve to text). `DetailStatementTests` checks each type list against the columns.
        static let firearmColumns = (select: "SELECT \(FirearmStore.columns), review_flags FROM firearms",
                                     types: ["uuid", "text", "text", "text", "text", "text", "text", "text", "text", "character(2)", "integer",
                                             "character(2)", "integer", "text", "integer", "text", "text", "text", "uuid", "integer",
                                             "timestamp with time zone", "timestamp with time zone", "text", "text", "text", "text", "text",
                                             "text", "text", "text", "text", "text", "text", "text[]"])
        static let licenceColumns = (select: "SELECT \(LicenceStore.columnList) FROM licences l",
                                     types: ["uuid", "text", "uuid", "text", "text", "text", "text", "text", "text", "uuid[]", "integer",
                                             "timestamp with time zone", "timestamp with time zone", "text", "text"])
        static let componentColumns = (select: "SELECT \(ComponentStore.columns) FROM components",
                                       types: ["uuid", "text", "uuid", "text", "text", "text", "text", "text", "text", "text", "integer",
                                               "timestamp with time zone", "timestamp with time zone"])

        /// The typed nulls as constants. They were an empty subquery of the record's columns
        /// (`… WHERE false`) joined on true, which put the licence's correlated subqueries into
        /// every branch's plan: PostgreSQL then spent more initialising the plan than running
        /// it, 359–407 µs of backend CPU a read against 140–222 µs with constants (pgbench, same
        /// statement, same data: Deploy/RESULTS.md, stop 21).
        private static func nulls(_ types: [String], as alias: String) -> String {
            "CROSS JOIN (SELECT " + types.map { "NULL::" + $0 }.joined(separator: ", ") + ") " + alias
        }
        private static let noFirearm = nulls(firearmColumns.types, as: "nf")
        private static let noLicence = nulls(licenceColumns.types, as: "nl")
        private static let noComponent = nulls(componentColumns.types, as: "nc")
        static let sql = """
            SELECT 0, NULL::bigint, f.*, nl.*, nc.*
            FROM (\(firearmColumns.select) WHERE id = $1) f \(noLicence) \(noComponent)
            UNION ALL
            SELECT 1, row_number() OVER (ORDER BY l2.valid_until DESC, l2.id), nf.*, l2.*, nc.*
            FROM (\(licenceColumns.select)
                  WHERE l.id IN (SELECT lf.licence_id FROM licence_firearms lf JOIN licences l ON l.id = lf.licence_id
                                 WHERE lf.firearm_id = $1 AND NOT EXISTS (\(LicenceStore.endingTransfer)))) l2
                 \(noFirearm) \(noComponent)
            UNION ALL
            SELECT 2, row_number() OVER (ORDER BY c2.part, c2.reference), nf.*, nl.*, c2.*
            FROM (\(componentColumns.select) WHERE firearm_id = $1) c2 \(noFirearm) \(noLicence)
            ORDER BY 1, 2
            """

        var id: UUID
        var today: CalendarDate

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let c = row.makeRandomAccess()
            switch try c[0].decode(Int.self) {
            case 0:
                return .firearm(try FirearmStore.decode(c, at: Self.firearmAt),
                                try c[Self.flagsAt].decode([String].self).compactMap(ReviewFlag.init(rawValue:)))
            case 1: return .licence(try LicenceStore.decode(c, at: Self.licenceAt, today: today))
            default: return .component(try ComponentStore.decode(c, at: Self.componentAt))
            }
        }
    }

    /// The firearm, its flags, the licences covering it and its components; nil when there is no such firearm.
    static func detail(id: UUID, today: CalendarDate, on connection: PostgresConnection)
        async throws -> (firearm: Firearm, flags: [ReviewFlag], licences: [Licence], components: [Component])? {
        var found: (Firearm, [ReviewFlag])?
        var licences: [Licence] = [], components: [Component] = []
        for try await row in try await connection.execute(DetailStatement(id: id, today: today), logger: logger) {
            switch row {
            case .firearm(let firearm, let flags): found = (firearm, flags)
            case .licence(let licence): licences.append(licence)
            case .component(let component): components.append(component)
            }
        }
        guard let (firearm, flags) = found else { return nil }
        return (firearm, flags, licences, components)
    }
}
