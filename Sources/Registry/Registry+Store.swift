import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// The registry's tables. Every function runs on a connection the caller chose, so that a
/// change, its version row and its audit entry share one transaction.
enum FirearmStore {
    static let logger = Logger(label: "ifcd.registry.sql", factory: { _ in SwiftLogNoOpLogHandler() })
    static let columns = """
        id, reference, make, model, type, calibre, serial_marked, serial_normalized, other_markings,
        country_of_manufacture, year_of_manufacture, import_country, import_year, importer, barrel_length_mm,
        action, notes, status, holder_id, version, created_at, updated_at
        """

    static func decode(_ row: PostgresRow) throws -> Firearm {
        let c = row.makeRandomAccess()
        return Firearm(
            id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self), make: try c[2].decode(String.self),
            model: try c[3].decode(String?.self), type: FirearmType(rawValue: try c[4].decode(String.self)) ?? .other,
            calibre: try c[5].decode(String.self), serial: try c[6].decode(String.self), serialNormalized: try c[7].decode(String.self),
            otherMarkings: try c[8].decode(String?.self), countryOfManufacture: try c[9].decode(String?.self),
            yearOfManufacture: try c[10].decode(Int?.self), importCountry: try c[11].decode(String?.self),
            importYear: try c[12].decode(Int?.self), importer: try c[13].decode(String?.self),
            barrelLengthMM: try c[14].decode(Int?.self), action: try c[15].decode(String?.self), notes: try c[16].decode(String?.self),
            status: FirearmStatus(rawValue: try c[17].decode(String.self)) ?? .registered, holderID: try c[18].decode(UUID?.self),
            version: try c[19].decode(Int.self), createdAt: try c[20].decode(Date.self), updatedAt: try c[21].decode(Date.self))
    }

    static func one(_ rows: PostgresRowSequence) async throws -> Firearm? {
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func insert(id: UUID, _ d: FirearmDescription, holderID: UUID?, on connection: PostgresConnection) async throws -> Firearm {
        let normalized = Serial.normalize(d.serial) ?? ""
        let rows = try await connection.query("""
            INSERT INTO firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded,
                other_markings, country_of_manufacture, year_of_manufacture, import_country, import_year, importer,
                barrel_length_mm, action, notes, holder_id)
            VALUES (\(id), 'FA-' || lpad(nextval('firearm_reference_seq')::text, 7, '0'), \(d.make), \(d.model), \(d.type.rawValue),
                \(d.calibre), \(d.serial), \(normalized), \(Serial.fold(normalized)), \(d.otherMarkings), \(d.countryOfManufacture),
                \(d.yearOfManufacture), \(d.importCountry), \(d.importYear), \(d.importer), \(d.barrelLengthMM), \(d.action),
                \(d.notes), \(holderID))
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

    /// The record a new registration would duplicate, if any.
    static func duplicate(of d: FirearmDescription, excluding: UUID?, on connection: PostgresConnection) async throws -> Firearm? {
        try await one(connection.query("""
            SELECT \(unescaped: columns) FROM firearms
            WHERE lower(make) = lower(\(d.make)) AND serial_normalized = \(Serial.normalize(d.serial) ?? "")
              AND type = \(d.type.rawValue) AND lower(calibre) = lower(\(d.calibre))
              AND (\(excluding)::uuid IS NULL OR id <> \(excluding))
            """, logger: logger))
    }

    static func update(id: UUID, _ d: FirearmDescription, on connection: PostgresConnection) async throws -> Firearm {
        let normalized = Serial.normalize(d.serial) ?? ""
        let rows = try await connection.query("""
            UPDATE firearms SET make = \(d.make), model = \(d.model), type = \(d.type.rawValue), calibre = \(d.calibre),
                serial_marked = \(d.serial), serial_normalized = \(normalized), serial_folded = \(Serial.fold(normalized)),
                other_markings = \(d.otherMarkings), country_of_manufacture = \(d.countryOfManufacture),
                year_of_manufacture = \(d.yearOfManufacture), import_country = \(d.importCountry), import_year = \(d.importYear),
                importer = \(d.importer), barrel_length_mm = \(d.barrelLengthMM), action = \(d.action), notes = \(d.notes),
                version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        guard let firearm = try await one(rows) else { throw Problem.notFound("no firearm \(id)") }
        return firearm
    }

    static func setStatus(id: UUID, status: FirearmStatus, holderID: UUID?, on connection: PostgresConnection) async throws -> Firearm {
        let rows = try await connection.query("""
            UPDATE firearms SET status = \(status.rawValue), holder_id = \(holderID), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        guard let firearm = try await one(rows) else { throw Problem.notFound("no firearm \(id)") }
        return firearm
    }

    /// Keeps the record as it became: the history a reader sees.
    static func recordVersion(_ firearm: Firearm, change: String, by principal: Principal, on connection: PostgresConnection) async throws {
        let json = String(decoding: try JSONBody.encoder.encode(firearm), as: UTF8.self)
        try await connection.query("""
            INSERT INTO firearm_versions (firearm_id, version, record, change, changed_by)
            VALUES (\(firearm.id), \(firearm.version), \(json)::jsonb, \(change), \(principal.username))
            """, logger: logger)
    }

    static func history(id: UUID, on connection: PostgresConnection) async throws -> [FirearmVersion] {
        let rows = try await connection.query("""
            SELECT version, change, changed_by, changed_at, record::text FROM firearm_versions
            WHERE firearm_id = \(id) ORDER BY version
            """, logger: logger)
        var versions: [FirearmVersion] = []
        for try await (version, change, by, at, record) in rows.decode((Int, String, String, Date, String).self) {
            let firearm = try JSONBody.decoder.decode(Firearm.self, from: Data(record.utf8))
            versions.append(FirearmVersion(version: version, change: change, changedBy: by, changedAt: at, record: firearm))
        }
        return versions
    }

    struct ListFilter: Sendable {
        var serial: String?
        var make: String?
        var model: String?
        var type: FirearmType?
        var calibre: String?
        var status: FirearmStatus?
        var holderID: UUID?
        var country: String?
    }

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
              AND (\(f.country)::text IS NULL OR country_of_manufacture = \(f.country))
            ORDER BY reference
            LIMIT \(page.limit + 1)
            """, logger: logger)
        var items: [Firearm] = []
        for try await row in rows { items.append(try decode(row)) }
        return Page(fetched: items, limit: page.limit, key: { [$0.reference] })
    }

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
        var items: [Firearm] = []
        for try await row in rows { items.append(try decode(row)) }
        return items
    }
}

enum EventStore {
    static let columns = """
        id, firearm_id, kind, occurred_on::text, transfer_kind, place, agency, document_ref, permit_number,
        counterpart_country, counterpart_holder_id, notes, status_after, firearm_version, recorded_by, recorded_at
        """

    static func decode(_ row: PostgresRow) throws -> FirearmEvent {
        let c = row.makeRandomAccess()
        return FirearmEvent(
            id: try c[0].decode(UUID.self), firearmID: try c[1].decode(UUID.self),
            kind: EventKind(rawValue: try c[2].decode(String.self)) ?? .registered, occurredOn: try c[3].decode(String.self),
            transferKind: try c[4].decode(String?.self).flatMap(TransferKind.init(rawValue:)), place: try c[5].decode(String?.self),
            agency: try c[6].decode(String?.self), documentRef: try c[7].decode(String?.self), permitNumber: try c[8].decode(String?.self),
            counterpartCountry: try c[9].decode(String?.self), counterpartHolderID: try c[10].decode(UUID?.self),
            notes: try c[11].decode(String?.self), statusAfter: FirearmStatus(rawValue: try c[12].decode(String.self)) ?? .registered,
            firearmVersion: try c[13].decode(Int.self), recordedBy: try c[14].decode(String.self), recordedAt: try c[15].decode(Date.self))
    }

    static func insert(_ e: NewEvent, firearmID: UUID, statusAfter: FirearmStatus, version: Int, by principal: Principal,
                       on connection: PostgresConnection) async throws -> FirearmEvent {
        let rows = try await connection.query("""
            INSERT INTO firearm_events (id, firearm_id, kind, transfer_kind, occurred_on, place, agency, document_ref, permit_number,
                counterpart_country, counterpart_holder_id, notes, status_after, firearm_version, recorded_by)
            VALUES (\(UUID()), \(firearmID), \(e.kind.rawValue), \(e.transferKind?.rawValue), \(e.occurredOn)::date, \(e.place),
                \(e.agency), \(e.documentRef), \(e.permitNumber), \(e.counterpartCountry), \(e.counterpartHolderID), \(e.notes),
                \(statusAfter.rawValue), \(version), \(principal.username))
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
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

enum HolderStore {
    static let columns = "id, reference, kind, name, id_number, address, country, version, created_at, updated_at"

    static func decode(_ row: PostgresRow) throws -> Holder {
        let c = row.makeRandomAccess()
        return Holder(id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self), kind: try c[2].decode(String.self),
                      name: try c[3].decode(String.self), idNumber: try c[4].decode(String?.self), address: try c[5].decode(String?.self),
                      country: try c[6].decode(String.self), version: try c[7].decode(Int.self),
                      createdAt: try c[8].decode(Date.self), updatedAt: try c[9].decode(Date.self))
    }

    static func insert(_ h: NewHolder, on connection: PostgresConnection) async throws -> Holder {
        let rows = try await connection.query("""
            INSERT INTO holders (id, reference, kind, name, id_number, address, country)
            VALUES (\(UUID()), 'HO-' || lpad(nextval('holder_reference_seq')::text, 6, '0'), \(h.kind), \(h.name), \(h.idNumber),
                    \(h.address), \(h.country))
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    static func find(id: UUID, on connection: PostgresConnection) async throws -> Holder? {
        let rows = try await connection.query("SELECT \(unescaped: columns) FROM holders WHERE id = \(id)", logger: FirearmStore.logger)
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
