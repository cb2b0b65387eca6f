import Foundation
import ExhibitsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// The exhibits table and the exhibits' history.
enum ExhibitStore {
    static let history = RecordHistory(table: "exhibit_versions", key: "exhibit_id")
    static let logger = AuditWriter.quietLogger
    static let columns = """
        e.id, e.reference, e.barcode, e.kind, e.case_id, e.seizure_id, e.parent_id, e.derivation, e.description, e.quantity, e.calibre,
        e.seal_number, e.condition_on_receipt, e.storage_location, e.headstamp, e.lot, e.lands_and_grooves, e.twist_direction,
        e.manufacture_origin, e.firearm_id, e.received_on::text, e.custodian_kind, e.custodian, e.status, e.seal_broken, e.disposition,
        e.disposition_authority, e.disposed_on::text, e.created_by, e.version, e.created_at, e.updated_at
        """

    static func decode(_ row: PostgresRow) throws -> Exhibit { try decode(row.makeRandomAccess()) }

    /// The exhibit from `columns`' 32 cells, starting at cell `at`.
    static func decode(_ c: PostgresRandomAccessRow, at o: Int = 0) throws -> Exhibit {
        Exhibit(
            id: try c[o + 0].decode(UUID.self), reference: try c[o + 1].decode(String.self), barcode: try c[o + 2].decode(String.self),
            kind: ExhibitKind(rawValue: try c[o + 3].decode(String.self)) ?? .other, caseID: try c[o + 4].decode(UUID.self),
            seizureID: try c[o + 5].decode(UUID?.self), parentID: try c[o + 6].decode(UUID?.self),
            derivation: try c[o + 7].decode(String?.self).flatMap(Derivation.init(rawValue:)), description: try c[o + 8].decode(String.self),
            quantity: try c[o + 9].decode(Int.self), calibre: try c[o + 10].decode(String?.self), sealNumber: try c[o + 11].decode(String?.self),
            conditionOnReceipt: try c[o + 12].decode(String?.self), storageLocation: try c[o + 13].decode(String?.self),
            headstamp: try c[o + 14].decode(String?.self), lot: try c[o + 15].decode(String?.self), landsAndGrooves: try c[o + 16].decode(Int?.self),
            twistDirection: try c[o + 17].decode(String?.self).flatMap(TwistDirection.init(rawValue:)),
            manufactureOrigin: try c[o + 18].decode(String?.self).flatMap(ManufactureOrigin.init(rawValue:)),
            firearmID: try c[o + 19].decode(UUID?.self), receivedOn: try CalendarDate.decode(c[o + 20]),
            custodianKind: CustodianKind(rawValue: try c[o + 21].decode(String.self)) ?? .user, custodian: try c[o + 22].decode(String.self),
            status: ExhibitStatus(rawValue: try c[o + 23].decode(String.self)) ?? .held, sealBroken: try c[o + 24].decode(Bool.self),
            disposition: try c[o + 25].decode(String?.self).flatMap(DispositionKind.init(rawValue:)),
            dispositionAuthority: try c[o + 26].decode(String?.self), disposedOn: try CalendarDate.decodeIfPresent(c[o + 27]),
            createdBy: try c[o + 28].decode(String.self), version: try c[o + 29].decode(Int.self), createdAt: try c[o + 30].decode(Date.self),
            updatedAt: try c[o + 31].decode(Date.self))
    }

    static func insert(id: UUID, reference: String, _ f: ExhibitFields, custodian: String, createdBy: String,
                       on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO exhibits (id, reference, barcode, kind, case_id, seizure_id, parent_id, derivation, description, quantity, calibre,
                                  seal_number, condition_on_receipt, storage_location, headstamp, lot, lands_and_grooves, twist_direction,
                                  manufacture_origin, firearm_id, received_on, custodian_kind, custodian, created_by)
            VALUES (\(id), \(reference), \(f.barcode), \(f.kind.rawValue), \(f.caseID), \(f.seizureID), \(f.parentID), \(f.derivation?.rawValue),
                    \(f.description), \(f.quantity), \(f.calibre), \(f.sealNumber), \(f.conditionOnReceipt), \(f.storageLocation),
                    \(f.headstamp), \(f.lot), \(f.landsAndGrooves), \(f.twistDirection?.rawValue), \(f.manufactureOrigin?.rawValue),
                    \(f.firearmID), \(f.receivedOn.text)::date, 'user', \(custodian), \(createdBy))
            """, logger: logger)
    }

    /// A correction: the exhibit locked, its description written as the next version.
    static let correction = Correction<Exhibit, ExhibitFields>(
        recordType: "exhibit", history: history,
        lock: { id, connection in try await find(id: id, forUpdate: true, on: connection) },
        write: { id, fields, connection in try await updateFields(id: id, fields, on: connection) },
        fields: \.fields, version: \.version, label: { "exhibit \($0.reference)" }, changed: ExhibitFields.table.changed)

    /// Writes the correctable fields as the next version; answers the exhibit as it became.
    static func updateFields(id: UUID, _ f: ExhibitFields, on connection: PostgresConnection) async throws -> Exhibit {
        let rows = try await connection.query("""
            UPDATE exhibits e SET description = \(f.description), quantity = \(f.quantity), calibre = \(f.calibre),
                condition_on_receipt = \(f.conditionOnReceipt), storage_location = \(f.storageLocation), headstamp = \(f.headstamp),
                lot = \(f.lot), lands_and_grooves = \(f.landsAndGrooves), twist_direction = \(f.twistDirection?.rawValue),
                manufacture_origin = \(f.manufactureOrigin?.rawValue), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE e.id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no exhibit \(id.uuidString.lowercased())")
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Exhibit? {
        if forUpdate {
            for try await row in try await connection.query("SELECT \(unescaped: columns) FROM exhibits e WHERE e.id = \(id) FOR UPDATE",
                                                             logger: logger) {
                return try decode(row)
            }
            return nil
        }
        for try await exhibit in try await connection.execute(Find(id: id), logger: logger) { return exhibit }
        return nil
    }

    /// The exhibit by id: the main read's statement, prepared once per connection (its plan does
    /// not depend on the id).
    struct Find: PostgresPreparedStatement {
        static let sql = "SELECT \(columns) FROM exhibits e WHERE e.id = $1::uuid"
        var id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Exhibit { try ExhibitStore.decode(row) }
    }

    /// The exhibit locked for a change (`FOR UPDATE`), with the database's clock once the lock is
    /// held (the outer select runs after its locking subselect): the change's `updated_at`.
    struct Lock: PostgresPreparedStatement {
        static let sql = """
            SELECT l.*, date_trunc('milliseconds', clock_timestamp())
            FROM (SELECT \(columns) FROM exhibits e WHERE e.id = $1::uuid FOR UPDATE) l
            """
        var id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Exhibit, Date) {
            let c = row.makeRandomAccess()
            return (try ExhibitStore.decode(c), try c[ExhibitStore.columnCount].decode(Date.self))
        }
    }

    static let columnCount = 32

    static func find(reference: String, on connection: PostgresConnection) async throws -> Exhibit? {
        let rows = try await connection.query("SELECT \(unescaped: columns) FROM exhibits e WHERE e.reference = \(reference)", logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func barcodeTaken(_ barcode: String, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query("SELECT reference FROM exhibits WHERE barcode = \(barcode)", logger: logger)
        for try await reference in rows.decode(String.self) { return reference }
        return nil
    }

    struct ListFilter: Sendable {
        var custodian: String?
        var caseID: UUID?
        var location: String?
        var barcode: String?
        var status: ExhibitStatus?
        /// In transit since before this instant.
        var inTransitSince: Date?
        /// In transit to this user now (`incoming=me`).
        var incomingTo: String? = nil
    }

    /// Newest first (creation time, then id), keyset-paginated.
    static func list(_ filter: ListFilter, as principal: Principal, page: PageRequest, on connection: PostgresConnection) async throws -> Page<Exhibit> {
        let afterMillis = page.after.flatMap { Int64($0[0]) }
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM exhibits e
            WHERE (\(afterMillis)::bigint IS NULL
                   OR (e.created_at, e.id) < (to_timestamp(\(afterMillis)::bigint / 1000.0), \(afterID)::uuid))
              AND (\(filter.custodian)::text IS NULL OR (e.custodian_kind = 'user' AND lower(e.custodian) = lower(\(filter.custodian))))
              AND (\(filter.caseID)::uuid IS NULL OR e.case_id = \(filter.caseID))
              AND (\(filter.location)::text IS NULL OR e.storage_location = \(filter.location))
              AND (\(filter.barcode)::text IS NULL OR e.barcode = \(filter.barcode))
              AND (\(filter.status?.rawValue)::text IS NULL OR e.status = \(filter.status?.rawValue))
              AND (\(filter.inTransitSince)::timestamptz IS NULL
                   OR EXISTS (SELECT 1 FROM exhibit_transfers t WHERE t.exhibit_id = e.id AND t.status = 'in_transit'
                              AND t.sent_at < \(filter.inTransitSince)))
              AND (\(filter.incomingTo)::text IS NULL
                   OR EXISTS (SELECT 1 FROM exhibit_transfers t WHERE t.exhibit_id = e.id AND t.status = 'in_transit'
                              AND t.to_kind = 'user' AND lower(t.to_party) = lower(\(filter.incomingTo))))
              AND forensic_case_visible_to(e.case_id, \(principal.userID), \(principal.clearance.rawValue), \(principal.readsCasesThroughTraces))
            ORDER BY e.created_at DESC, e.id DESC
            LIMIT \(page.limit + 1)
            """, logger: logger)
        var items: [Exhibit] = []
        for try await row in rows { items.append(try decode(row)) }
        return Page(fetched: items, limit: page.limit, key: { [String(Int64(($0.createdAt.timeIntervalSince1970 * 1000).rounded())), $0.id.uuidString] })
    }

    /// Every exhibit of a case, oldest first.
    static func ofCase(_ caseID: UUID, on connection: PostgresConnection) async throws -> [Exhibit] {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM exhibits e WHERE e.case_id = \(caseID) ORDER BY e.created_at, e.id
            """, logger: logger)
        var items: [Exhibit] = []
        for try await row in rows { items.append(try decode(row)) }
        return items
    }

    /// The exhibit's root ancestor and every exhibit derived from that root, at any depth.
    static func family(of id: UUID, on connection: PostgresConnection) async throws -> [Exhibit] {
        let rows = try await connection.query("""
            WITH RECURSIVE up (id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM exhibits WHERE id = \(id)
                UNION ALL
                SELECT p.id, p.parent_id, up.depth + 1 FROM exhibits p JOIN up ON p.id = up.parent_id WHERE up.depth < 100
            ), root AS (
                SELECT id FROM up WHERE parent_id IS NULL
            ), down (id, depth) AS (
                SELECT id, 0 FROM root
                UNION ALL
                SELECT c.id, down.depth + 1 FROM exhibits c JOIN down ON c.parent_id = down.id WHERE down.depth < 100
            )
            SELECT \(unescaped: columns) FROM exhibits e JOIN down ON down.id = e.id ORDER BY e.created_at, e.id
            """, logger: logger)
        var items: [Exhibit] = []
        for try await row in rows { items.append(try decode(row)) }
        return items
    }
}
