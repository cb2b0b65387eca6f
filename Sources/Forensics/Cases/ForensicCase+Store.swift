import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// The forensic_cases and forensic_case_links tables, and the cases' history.
enum CaseStore {
    static let history = RecordHistory(table: "forensic_case_versions", key: "case_id")
    static let logger = AuditWriter.quietLogger
    static let columns = """
        c.id, c.reference, c.submitting_agency, c.officer, c.agency_case_number, c.offence, c.incident_on::text, c.incident_country,
        c.incident_place, c.received_on::text, c.status, c.confidentiality, c.requested_examinations, c.seizure_ids, c.notes, c.created_by,
        c.version, c.created_at, c.updated_at
        """

    static func decode(_ row: PostgresRow) throws -> ForensicCase {
        let c = row.makeRandomAccess()
        return ForensicCase(id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self), submittingAgency: try c[2].decode(String.self),
                            officer: try c[3].decode(String.self), agencyCaseNumber: try c[4].decode(String?.self),
                            offence: try c[5].decode(String.self), incidentOn: try CalendarDate.decodeIfPresent(c[6]),
                            incidentCountry: try c[7].decode(String?.self).flatMap(Country.init), incidentPlace: try c[8].decode(String?.self),
                            receivedOn: try CalendarDate.decode(c[9]), status: CaseStatus(rawValue: try c[10].decode(String.self)) ?? .received,
                            confidentiality: Confidentiality(rawValue: try c[11].decode(String.self)) ?? .standard,
                            requestedExaminations: try c[12].decode([String].self).compactMap(ExaminationKind.init(rawValue:)),
                            seizureIDs: try c[13].decode([UUID].self), notes: try c[14].decode(String?.self),
                            createdBy: try c[15].decode(String.self), version: try c[16].decode(Int.self),
                            createdAt: try c[17].decode(Date.self), updatedAt: try c[18].decode(Date.self))
    }

    /// Opens the case under the series' next reference (issued in the same statement) and answers
    /// it as stored: one prepared statement for the reference, the insert and the re-read.
    struct Insert: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO forensic_cases AS c (id, reference, submitting_agency, officer, agency_case_number, offence, incident_on,
                                             incident_country, incident_place, received_on, confidentiality, requested_examinations,
                                             seizure_ids, notes, created_by)
            VALUES ($1::uuid, ifcd_reference($2::text, $3::int4, $4::int4), $5::text, $6::text, $7::text, $8::text, $9::text::date,
                    $10::text, $11::text, $12::text::date, $13::text, $14::text[], $15::uuid[], $16::text, $17::text)
            RETURNING \(columns)
            """
        var id: UUID
        var series: ReferenceSeries
        var now: Date
        var fields: CaseFields
        var createdBy: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 17)
            bindings.append(id)
            bindings.append(series.prefix)
            bindings.append(Int32(series.digits))
            bindings.append(series.year(at: now).map(Int32.init))
            bindings.append(fields.submittingAgency)
            bindings.append(fields.officer)
            bindings.append(fields.agencyCaseNumber)
            bindings.append(fields.offence)
            bindings.append(fields.incidentOn?.text)
            bindings.append(fields.incidentCountry?.code)
            bindings.append(fields.incidentPlace)
            bindings.append(fields.receivedOn.text)
            bindings.append(fields.confidentiality.rawValue)
            bindings.append(fields.requestedExaminations.map(\.rawValue))
            bindings.append(fields.seizureIDs)
            bindings.append(fields.notes)
            bindings.append(createdBy)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> ForensicCase { try CaseStore.decode(row) }
    }

    /// A correction: the case locked, its fields and status written as the next version.
    static let correction = Correction<ForensicCase, CaseRevision>(
        recordType: "case", history: history,
        // The caller checked that the person correcting may see the case (`Forensics.changeCase`).
        lock: { id, connection in try await find(id: id, as: .module, forUpdate: true, on: connection)?.record },
        write: { id, revision, connection in try await update(id: id, revision, on: connection) },
        fields: \.revision, version: \.version, label: { "case \($0.reference)" }, changed: CaseRevision.table.changed)

    /// Writes the case's fields and status as the next version; answers the case as it became.
    static func update(id: UUID, _ r: CaseRevision, on connection: PostgresConnection) async throws -> ForensicCase {
        let f = r.fields
        let rows = try await connection.query("""
            UPDATE forensic_cases c SET submitting_agency = \(f.submittingAgency), officer = \(f.officer), agency_case_number = \(f.agencyCaseNumber),
                offence = \(f.offence), incident_on = \(f.incidentOn?.text)::date, incident_country = \(f.incidentCountry?.code),
                incident_place = \(f.incidentPlace), received_on = \(f.receivedOn.text)::date, confidentiality = \(f.confidentiality.rawValue),
                requested_examinations = \(f.requestedExaminations.map(\.rawValue))::text[], seizure_ids = \(f.seizureIDs)::uuid[],
                notes = \(f.notes), status = \(r.status.rawValue), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE c.id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no case \(id.uuidString.lowercased())")
    }

    /// The case `id` and whether `viewer` may see it (`forensic_case_visible`, the need-to-know
    /// rule), or nil when there is none. Every read of a case names who reads: no path reads around
    /// the rule (`CaseViewer.module` is the module's own bookkeeping, never a person's read).
    static func find(id: UUID, as viewer: CaseViewer, forUpdate: Bool = false,
                     on connection: PostgresConnection) async throws -> (record: ForensicCase, visible: Bool)? {
        if forUpdate {
            let rows = try await connection.query("""
                SELECT \(unescaped: columns), \(viewer.everything) OR forensic_case_visible(c.id, c.confidentiality, \(viewer.userID),
                                                                                         \(viewer.clearance.rawValue), \(viewer.tracedOnly))
                FROM forensic_cases c WHERE c.id = \(id) FOR UPDATE
                """, logger: logger)
            for try await row in rows { return (try decode(row), try row.makeRandomAccess()[columnCount].decode(Bool.self)) }
            return nil
        }
        for try await found in try await connection.execute(Find(id: id, viewer: viewer), logger: logger) { return found }
        return nil
    }

    static let columnCount = 19

    /// The case by id with its visibility: the module's main read, prepared once per connection
    /// (it was parsed and planned on every read: 39 µs of planning against 13 µs of execution).
    struct Find: PostgresPreparedStatement {
        static let sql = """
            SELECT \(columns), $2::boolean OR forensic_case_visible(c.id, c.confidentiality, $3::uuid, $4::text, $5::boolean)
            FROM forensic_cases c WHERE c.id = $1::uuid
            """
        var id: UUID
        var viewer: CaseViewer

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(id)
            bindings.append(viewer.everything)
            bindings.append(viewer.userID)
            bindings.append(viewer.clearance.rawValue)
            bindings.append(viewer.tracedOnly)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (record: ForensicCase, visible: Bool) {
            (try CaseStore.decode(row), try row.makeRandomAccess()[CaseStore.columnCount].decode(Bool.self))
        }
    }

    /// The ids among `ids` of the cases `viewer` may see.
    static func visible(_ ids: [UUID], as viewer: CaseViewer, on connection: PostgresConnection) async throws -> Set<UUID> {
        let rows = try await connection.query("""
            SELECT c.id FROM forensic_cases c
            WHERE c.id = ANY(\(ids)::uuid[])
              AND (\(viewer.everything) OR forensic_case_visible(c.id, c.confidentiality, \(viewer.userID), \(viewer.clearance.rawValue),
                                                        \(viewer.tracedOnly)))
            """, logger: logger)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }

    /// The ids of `ids` that name no seizure.
    static func missingSeizures(_ ids: [UUID], on connection: PostgresConnection) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query("SELECT id FROM seizures WHERE id = ANY(\(ids)::uuid[])", logger: logger)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return Set(ids).subtracting(found)
    }

    struct ListFilter: Sendable {
        var status: CaseStatus?
        var seizureID: UUID?
        var agencyCaseNumber: String?
    }

    /// Newest received first (date, then id), keyset-paginated.
    static func list(_ filter: ListFilter, as viewer: CaseViewer, page: PageRequest, on connection: PostgresConnection) async throws -> Page<ForensicCase> {
        let afterDate = page.after?[0]
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM forensic_cases c
            WHERE (\(afterDate)::date IS NULL OR (c.received_on, c.id) < (\(afterDate)::date, \(afterID)::uuid))
              AND (\(filter.status?.rawValue)::text IS NULL OR c.status = \(filter.status?.rawValue))
              AND (\(filter.seizureID)::uuid IS NULL OR c.seizure_ids @> ARRAY[\(filter.seizureID)::uuid])
              AND (\(filter.agencyCaseNumber)::text IS NULL OR c.agency_case_number = \(filter.agencyCaseNumber))
              AND (\(viewer.everything) OR forensic_case_visible(c.id, c.confidentiality, \(viewer.userID), \(viewer.clearance.rawValue),
                                                        \(viewer.tracedOnly)))
            ORDER BY c.received_on DESC, c.id DESC
            LIMIT \(page.limit + 1)
            """, logger: logger)
        var items: [ForensicCase] = []
        for try await row in rows { items.append(try decode(row)) }
        return Page(fetched: items, limit: page.limit, key: { [$0.receivedOn.text, $0.id.uuidString] })
    }

    static let linkColumns = "id, case_id, kind, target_id, target_reference, reason, created_by, created_at"

    static func decodeLink(_ row: PostgresRow) throws -> CaseLink {
        let c = row.makeRandomAccess()
        return CaseLink(id: try c[0].decode(UUID.self), caseID: try c[1].decode(UUID.self),
                        kind: CaseLinkKind(rawValue: try c[2].decode(String.self)) ?? .case, targetID: try c[3].decode(UUID.self),
                        targetReference: try c[4].decode(String.self), reason: try c[5].decode(String.self),
                        createdBy: try c[6].decode(String.self), createdAt: try c[7].decode(Date.self))
    }

    static func insertLink(caseID: UUID, kind: CaseLinkKind, targetID: UUID, targetReference: String, reason: String, createdBy: String,
                           on connection: PostgresConnection) async throws -> CaseLink? {
        let rows = try await connection.query("""
            INSERT INTO forensic_case_links (id, case_id, kind, target_id, target_reference, reason, created_by)
            VALUES (\(UUID()), \(caseID), \(kind.rawValue), \(targetID), \(targetReference), \(reason), \(createdBy))
            ON CONFLICT (case_id, kind, target_id) DO NOTHING
            RETURNING \(unescaped: linkColumns)
            """, logger: logger)
        for try await row in rows { return try decodeLink(row) }
        return nil
    }

    /// The case's links that `viewer` may see: a link to another case follows that case (its
    /// reference is not shown to who may not see it).
    static func links(caseID: UUID, as viewer: CaseViewer, on connection: PostgresConnection) async throws -> [CaseLink] {
        let all = try await links(caseID: caseID, on: connection)
        let cases = all.filter { $0.kind == .case }.map(\.targetID)
        guard !cases.isEmpty else { return all }
        let visible = try await visible(cases, as: viewer, on: connection)
        return all.filter { $0.kind != .case || visible.contains($0.targetID) }
    }

    static func links(caseID: UUID, on connection: PostgresConnection) async throws -> [CaseLink] {
        let rows = try await connection.query("""
            SELECT \(unescaped: linkColumns) FROM forensic_case_links WHERE case_id = \(caseID) ORDER BY created_at, id
            """, logger: logger)
        var links: [CaseLink] = []
        for try await row in rows { links.append(try decodeLink(row)) }
        return links
    }
}
