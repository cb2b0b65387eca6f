import Foundation
import IFCCore
import IFCStore
import NIOCore
import PostgresNIO
import RegistryAPI

/// How a batch of validated rows reaches the registry: streamed with `COPY` into a staging table
/// that lives for the batch's transaction only, then moved into `firearms` by one set-based
/// statement that also writes each record's first version and its audit entry. The rows are
/// checked in Swift before (the same rules as the API's create route, one implementation); the
/// database checks them again by its constraints.
///
/// A batch bound as seventeen text arrays and unnested (the earlier shape) cost the server about
/// five times the CPU of the same batch read from a staging table (see `Deploy/RESULTS.md`).
extension FirearmImport {
    /// The staging table's columns, in the order `copyText` writes them.
    static let stagingColumns = ["line", "make", "model", "type", "calibre", "serial_marked", "serial_normalized", "serial_folded",
                                 "other_markings", "country_of_manufacture", "year_of_manufacture", "import_country", "import_year",
                                 "importer", "barrel_length_mm", "action", "notes", "review_flags"]

    static let createStaging: PostgresQuery = """
        CREATE TEMP TABLE import_staging (
            line int NOT NULL, make text, model text, type text, calibre text, serial_marked text, serial_normalized text,
            serial_folded text, other_markings text, country_of_manufacture text, year_of_manufacture int, import_country text,
            import_year int, importer text, barrel_length_mm int, action text, notes text, review_flags text[] NOT NULL
        ) ON COMMIT DROP
        """

    /// The batch in PostgreSQL's COPY text format: one line per row, fields separated by tabs,
    /// `\N` for a missing value, and backslash, tab, line feed and carriage return escaped (a
    /// note may hold line breaks).
    static func copyText(_ batch: [Row]) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: batch.count * 192)
        func field(_ text: String?) {
            guard let text else {
                out.writeStaticString("\\N\t")
                return
            }
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): out.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): out.writeStaticString("\\t")
                case UInt8(ascii: "\n"): out.writeStaticString("\\n")
                case UInt8(ascii: "\r"): out.writeStaticString("\\r")
                default: out.writeInteger(byte)
                }
            }
            out.writeInteger(UInt8(ascii: "\t"))
        }
        func number(_ value: Int?) { field(value.map(String.init)) }
        for row in batch {
            let f = row.firearm
            let normalized = f.serial.flatMap(Serial.normalize)
            number(row.line)
            field(f.make); field(f.model); field(f.type.rawValue); field(f.calibre)
            field(f.serial); field(normalized); field(normalized.map(Serial.fold))
            field(f.otherMarkings); field(f.countryOfManufacture?.code); number(f.yearOfManufacture)
            field(f.importCountry?.code); number(f.importYear); field(f.importer); number(f.barrelLengthMM)
            field(f.action); field(f.notes)
            // The flags are fixed words ([a-z_]), so the array literal needs no quoting.
            out.writeString("{" + row.flags.map(\.rawValue).joined(separator: ",") + "}\n")
        }
        return out
    }

    /// Streams `batch` into the staging table on `connection` (inside its transaction), creating
    /// the table first when `create`.
    static func stage(_ batch: [Row], create: Bool, on connection: PostgresConnection) async throws {
        if create { try await connection.query(createStaging, logger: FirearmStore.logger) }
        let text = copyText(batch)
        try await connection.copyFrom(table: "import_staging", columns: stagingColumns, logger: FirearmStore.logger) { writer in
            try await writer.write(text)
        }
    }

    /// Counts the staged rows that would be duplicates: of a registered firearm, or of an
    /// earlier row of the batch.
    static func countDuplicates(on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("""
            SELECT count(*) FROM (
                SELECT lower(make) AS m, serial_normalized AS s, type AS t, lower(calibre) AS c,
                       row_number() OVER (PARTITION BY lower(make), serial_normalized, type, lower(calibre) ORDER BY line) AS repeat
                FROM import_staging) u
            WHERE u.repeat > 1
               OR EXISTS (SELECT 1 FROM firearms f WHERE lower(f.make) = u.m AND f.serial_normalized = u.s
                          AND f.type = u.t AND lower(f.calibre) = u.c)
            """, logger: FirearmStore.logger)
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }

    /// Moves the staged rows into the registry in line order: `ON CONFLICT DO NOTHING` (the
    /// identity index decides what is a duplicate, also within the batch), each inserted
    /// record's first version (the record as the API shows it, built by the server) and its
    /// own `firearm.create` audit entry, like one registered through the API. Returns how many
    /// were inserted.
    func insertStaged(importID: UUID, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("""
            WITH refs AS MATERIALIZED (
                -- One call numbers the batch, in line order (a row found to be a duplicate leaves a gap, as a
                -- request that rolls back does).
                SELECT \(unescaped: Registry.firearmReferences.sqlBlockExpression(at: now, count: "(SELECT count(*)::int FROM import_staging)")) AS issued
            ), inserted AS (
                INSERT INTO firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded,
                    other_markings, country_of_manufacture, year_of_manufacture, import_country, import_year, importer,
                    barrel_length_mm, action, notes, review_flags)
                SELECT gen_random_uuid(), refs.issued[s.n], make, model, type, calibre,
                       serial_marked, serial_normalized, serial_folded, other_markings, country_of_manufacture, year_of_manufacture,
                       import_country, import_year, importer, barrel_length_mm, action, notes, review_flags
                FROM (SELECT *, row_number() OVER (ORDER BY line) AS n FROM import_staging) s CROSS JOIN refs
                ORDER BY s.line
                ON CONFLICT DO NOTHING
                RETURNING *
            ), versions AS (
                INSERT INTO firearm_versions (firearm_id, version, record, change, changed_by)
                SELECT id, version, jsonb_build_object(
                    'id', id, 'reference', reference, 'make', make, 'model', model, 'type', type, 'calibre', calibre,
                    'serial', serial_marked, 'serial_normalized', serial_normalized, 'other_markings', other_markings,
                    'country_of_manufacture', country_of_manufacture, 'year_of_manufacture', year_of_manufacture,
                    'import_country', import_country, 'import_year', import_year, 'importer', importer,
                    'barrel_length_mm', barrel_length_mm, 'action', action, 'notes', notes, 'status', status,
                    'holder_id', holder_id, 'version', version, 'manufacturer', manufacturer,
                    'place_of_manufacture', place_of_manufacture, 'alternative_marking', alternative_marking,
                    'marking_part', marking_part, 'civilian_marking', civilian_marking, 'state_marking', state_marking,
                    'marking_condition', marking_condition, 'restoration_method', restoration_method,
                    'restoration_case', restoration_case, 'category', category, 'record_origin', record_origin,
                    'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                    'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                    'imported', \(principal.username)
                FROM inserted
                RETURNING firearm_id
            ), audited AS (
                INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome, detail)
                SELECT \(principal.username), \(principal.userID), \(principal.roleNames), 'firearm.create', 'firearm', id::text,
                       \(requestID), 'success',
                       jsonb_build_object('reference', reference, 'serial', serial_normalized, 'import_id', \(importID.uuidString.lowercased()))
                FROM inserted
                RETURNING seq
            )
            SELECT (SELECT count(*) FROM versions), (SELECT count(*) FROM audited)
            """, logger: FirearmStore.logger)
        var count = 0
        for try await (versions, _) in rows.decode((Int, Int).self) { count = versions }
        return count
    }
}
