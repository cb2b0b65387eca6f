import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The examinations table and its history.
enum ExaminationStore {
    static let history = RecordHistory(table: "examination_versions", key: "examination_id")
    static let logger = AuditWriter.quietLogger
    static let columns = """
        id, case_id, kind, method, examiner, requested_on::text, started_on::text, completed_on::text, result, afte_conclusion,
        elimination_reason, verified_by, verified_at, verification_note, recovered_serial, part_examined, candidates::text, searched_at,
        confirmed_firearm_id, version, created_at, updated_at, verified_version
        """

    static func decode(_ row: PostgresRow) throws -> Examination {
        let c = row.makeRandomAccess()
        return Examination(id: try c[0].decode(UUID.self), caseID: try c[1].decode(UUID.self),
                           kind: ExaminationKind(rawValue: try c[2].decode(String.self)) ?? .other, method: try c[3].decode(String?.self),
                           examiner: try c[4].decode(String.self), requestedOn: try CalendarDate.decodeIfPresent(c[5]),
                           startedOn: try CalendarDate.decodeIfPresent(c[6]), completedOn: try CalendarDate.decodeIfPresent(c[7]),
                           result: try c[8].decode(String?.self), afteConclusion: try c[9].decode(String?.self).flatMap(AFTEConclusion.init(rawValue:)),
                           eliminationReason: try c[10].decode(String?.self), verifiedBy: try c[11].decode(String?.self),
                           verifiedAt: try c[12].decode(Date?.self), verificationNote: try c[13].decode(String?.self),
                           recoveredSerial: try c[14].decode(String?.self), partExamined: try c[15].decode(String?.self).flatMap(MarkingPart.init(rawValue:)),
                           candidates: try c[16].decode(String?.self).map { try JSONCoding.decoder.decode([SerialCandidate].self, from: Data($0.utf8)) },
                           searchedAt: try c[17].decode(Date?.self), confirmedFirearmID: try c[18].decode(UUID?.self),
                           version: try c[19].decode(Int.self), createdAt: try c[20].decode(Date.self), updatedAt: try c[21].decode(Date.self),
                           verifiedVersion: try c[22].decode(Int?.self))
    }

    static func insert(id: UUID, caseID: UUID, _ f: ExaminationFields, examiner: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO examinations (id, case_id, kind, method, examiner, requested_on, started_on, completed_on, result, afte_conclusion,
                                      elimination_reason, recovered_serial, part_examined)
            VALUES (\(id), \(caseID), \(f.kind.rawValue), \(f.method), \(examiner), \(f.requestedOn?.text)::date, \(f.startedOn?.text)::date,
                    \(f.completedOn?.text)::date, \(f.result), \(f.afteConclusion?.rawValue), \(f.eliminationReason),
                    \(f.recoveredSerial.map(RecoveredSerial.normalized)), \(f.partExamined?.rawValue))
            """, logger: logger)
    }

    /// A correction: the case must be open (locked, so its status cannot move meanwhile), the
    /// examination locked; its fields written as the next version.
    static let correction = Correction<Examination, ExaminationFields>(
        recordType: "examination", history: history,
        // The caller opened (locked) the case for the person correcting: `Forensics.openCase`.
        lock: { id, connection in try await find(id: id, caseID: try await caseID(of: id, on: connection), forUpdate: true, on: connection) },
        write: { id, fields, connection in try await update(id: id, fields, on: connection) },
        fields: \.fields, version: \.version, label: { _ in "examination" }, changed: ExaminationFields.table.changed)

    /// Writes the examination's fields as the next version; answers it as it became.
    static func update(id: UUID, _ f: ExaminationFields, on connection: PostgresConnection) async throws -> Examination {
        let rows = try await connection.query("""
            UPDATE examinations SET method = \(f.method), requested_on = \(f.requestedOn?.text)::date, started_on = \(f.startedOn?.text)::date,
                completed_on = \(f.completedOn?.text)::date, result = \(f.result), afte_conclusion = \(f.afteConclusion?.rawValue),
                elimination_reason = \(f.eliminationReason), recovered_serial = \(f.recoveredSerial.map(RecoveredSerial.normalized)),
                part_examined = \(f.partExamined?.rawValue), version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no examination \(id.uuidString.lowercased())")
    }

    /// Who set or changed the examination's conclusion or result (kept by the table).
    static func conclusionBy(id: UUID, on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query("SELECT conclusion_by FROM examinations WHERE id = \(id)", logger: logger)
        for try await names in rows.decode([String].self) { return names }
        return []
    }

    static func verify(id: UUID, by verifier: String, note: String?, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE examinations SET verified_by = \(verifier), verified_at = date_trunc('milliseconds', clock_timestamp()),
                verification_note = \(note), version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            """, logger: logger)
    }

    static func find(id: UUID, caseID: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Examination? {
        let rows = forUpdate
            ? try await connection.query("SELECT \(unescaped: columns) FROM examinations WHERE id = \(id) AND case_id = \(caseID) FOR UPDATE",
                                         logger: logger)
            : try await connection.query("SELECT \(unescaped: columns) FROM examinations WHERE id = \(id) AND case_id = \(caseID)", logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Examination `id` whatever its case (for the read API).
    static func find(id: UUID, on connection: PostgresConnection) async throws -> Examination? {
        let rows = try await connection.query("SELECT \(unescaped: columns) FROM examinations WHERE id = \(id)", logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(caseID: UUID, on connection: PostgresConnection) async throws -> [Examination] {
        let rows = try await connection.query("SELECT \(unescaped: columns) FROM examinations WHERE case_id = \(caseID) ORDER BY created_at, id",
                                              logger: logger)
        var all: [Examination] = []
        for try await row in rows { all.append(try decode(row)) }
        return all
    }

    /// What keeps a case from being reported or closed: identifications not yet verified by a
    /// second examiner, and (for a report) examinations not completed.
    static func blockers(caseID: UUID, on connection: PostgresConnection) async throws -> (unverified: Int, open: Int) {
        let rows = try await connection.query("""
            SELECT count(*) FILTER (WHERE afte_conclusion = 'identification' AND verified_by IS NULL)::int,
                   count(*) FILTER (WHERE completed_on IS NULL)::int
            FROM examinations WHERE case_id = \(caseID)
            """, logger: logger)
        for try await (unverified, open) in rows.decode((Int, Int).self) { return (unverified, open) }
        return (0, 0)
    }
}

extension ExaminationStore {
    static func storeCandidates(id: UUID, _ candidates: [SerialCandidate], on connection: PostgresConnection) async throws {
        let json = String(decoding: try JSONCoding.encoder.encode(candidates), as: UTF8.self)
        try await connection.query("""
            UPDATE examinations SET candidates = \(json)::jsonb, searched_at = date_trunc('milliseconds', clock_timestamp()),
                version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            """, logger: logger)
    }

    static func confirm(id: UUID, firearmID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE examinations SET confirmed_firearm_id = \(firearmID), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            """, logger: logger)
    }
}

extension ExaminationStore {
    /// The case of examination `id` (404 when there is none).
    static func caseID(of id: UUID, on connection: PostgresConnection) async throws -> UUID {
        let rows = try await connection.query("SELECT case_id FROM examinations WHERE id = \(id)", logger: logger)
        for try await caseID in rows.decode(UUID.self) { return caseID }
        throw Problem.notFound("no examination \(id.uuidString.lowercased())")
    }
}
