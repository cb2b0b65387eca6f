import ExhibitsAPI
import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// Need-to-know: an exhibit, its custody, acquisitions and leads follow its case. Whoever may not
/// see the case (the forensics module's rule, asked through its read API) gets the exhibit's 404,
/// as if it did not exist, and the refusal is an audit entry; lists leave such exhibits out in SQL.
extension Exhibits {
    /// The exhibits among `ids` that `principal` may not see (their cases hidden). Absent ones are
    /// not named: the route's own lookup answers them.
    /// One prepared statement on one connection: the forensics module's published rule
    /// (`forensic_case_visible_to`, as the lists ask it) for each exhibit's case. It was two
    /// unprepared statements on two connections (the ids' cases, then the read API's check), which
    /// halved the exhibit read's throughput.
    func hiddenExhibits(_ ids: [UUID], by principal: Principal) async throws -> Set<UUID> {
        try await database.withConnection { connection in
            var hidden: Set<UUID> = []
            for try await id in try await connection.execute(ExhibitStore.Hidden(ids: ids, principal: principal), logger: ExhibitStore.logger) {
                hidden.insert(id)
            }
            return hidden
        }
    }

    /// 404 (and a `denied` entry) unless `principal` may see the exhibits' cases.
    func requireVisibleExhibits(_ ids: [UUID], by principal: Principal, requestID: String?) async throws {
        guard let hidden = try await hiddenExhibits(ids, by: principal).first else { return }
        try await recordDenied(exhibit: hidden, by: principal, requestID: requestID)
        throw Problem.notFound("no exhibit \(hidden.uuidString.lowercased())")
    }

    /// 404 (and a `denied` entry) unless `principal` may see both exhibits of the lead.
    func requireVisibleLead(_ leadID: UUID, by principal: Principal, requestID: String?) async throws {
        guard let pair = try await database.withConnection({ try await LeadStore.exhibitPair(of: leadID, on: $0) }) else { return }
        guard try await hiddenExhibits([pair.0, pair.1], by: principal).isEmpty else {
            try await audit.record(AuditEntry(principal: principal, action: "lead.denied", recordType: "lead", recordID: leadID.uuidString,
                                              requestID: requestID, outcome: .denied,
                                              detail: AuditEntry.detail(["rule": "a lead is seen only by who may see both of its cases"])))
            throw Problem.notFound("no lead \(leadID.uuidString.lowercased())")
        }
    }

    func recordDenied(exhibit id: UUID, by principal: Principal, requestID: String?) async throws {
        try await audit.record(AuditEntry(principal: principal, action: "exhibit.denied", recordType: "exhibit", recordID: id.uuidString,
                                          requestID: requestID, outcome: .denied,
                                          detail: AuditEntry.detail(["rule": "an exhibit is seen only by who may see its case"])))
    }
}

extension ExhibitStore {
    /// The exhibits among `ids` whose case `principal` may not see.
    struct Hidden: PostgresPreparedStatement {
        static let sql = """
            SELECT e.id FROM exhibits e
            WHERE e.id = ANY($1::uuid[]) AND NOT forensic_case_visible_to(e.case_id, $2::uuid, $3::text, $4::boolean)
            """
        typealias Row = UUID
        var ids: [UUID]
        var principal: Principal

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(ids)
            bindings.appendCaseViewer(principal)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> UUID { try row.decode(UUID.self) }
    }

    /// The exhibit by id with whether `principal` may see its case: the exhibit read's one
    /// statement (it was the check, then the read: two round trips).
    struct FindSeen: PostgresPreparedStatement {
        static let sql = """
            SELECT \(columns), forensic_case_visible_to(e.case_id, $2::uuid, $3::text, $4::boolean)
            FROM exhibits e WHERE e.id = $1::uuid
            """
        var id: UUID
        var principal: Principal

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(id)
            bindings.appendCaseViewer(principal)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Exhibit, Bool) {
            (try ExhibitStore.decode(row), try row.makeRandomAccess()[ExhibitStore.columnCount].decode(Bool.self))
        }
    }

    /// The case of each exhibit among `ids` that exists.
    static func caseIDs(of ids: [UUID], on connection: PostgresConnection) async throws -> [UUID: UUID] {
        let rows = try await connection.query("SELECT id, case_id FROM exhibits WHERE id = ANY(\(ids)::uuid[])", logger: logger)
        var found: [UUID: UUID] = [:]
        for try await (id, caseID) in rows.decode((UUID, UUID).self) { found[id] = caseID }
        return found
    }
}

extension LeadStore {
    static func exhibitPair(of leadID: UUID, on connection: PostgresConnection) async throws -> (UUID, UUID)? {
        let rows = try await connection.query("SELECT exhibit_a, exhibit_b FROM exhibit_leads WHERE id = \(leadID)", logger: logger)
        for try await pair in rows.decode((UUID, UUID).self) { return pair }
        return nil
    }
}

extension PostgresBindings {
    /// `$n, $n+1, $n+2` of `forensic_case_visible_to(case_id, viewer, clearance, traced_only)`:
    /// who asks, as the forensics module's published rule takes them.
    mutating func appendCaseViewer(_ principal: Principal) {
        append(principal.userID)
        append(principal.clearance.rawValue)
        append(principal.readsCasesThroughTraces)
    }
}
