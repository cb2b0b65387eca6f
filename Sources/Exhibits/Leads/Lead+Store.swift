import Foundation
import ExhibitsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// The exhibit_acquisitions and exhibit_leads tables, and the clusters derived from them.
enum LeadStore {
    static let logger = AuditWriter.quietLogger

    static let acquisitionColumns = "id, exhibit_id, system, network, acquired_on::text, system_reference, created_by, created_at"

    static func decodeAcquisition(_ row: PostgresRow) throws -> Acquisition {
        let c = row.makeRandomAccess()
        return Acquisition(id: try c[0].decode(UUID.self), exhibitID: try c[1].decode(UUID.self),
                           system: ImagingSystem(rawValue: try c[2].decode(String.self)) ?? .other,
                           network: ImagingNetwork(rawValue: try c[3].decode(String.self)) ?? .national,
                           acquiredOn: try CalendarDate.decode(c[4]), systemReference: try c[5].decode(String.self),
                           createdBy: try c[6].decode(String.self), createdAt: try c[7].decode(Date.self))
    }

    static func insertAcquisition(id: UUID, exhibitID: UUID, _ a: NewAcquisition, by: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO exhibit_acquisitions (id, exhibit_id, system, network, acquired_on, system_reference, created_by)
            VALUES (\(id), \(exhibitID), \(a.system.rawValue), \(a.network.rawValue), \(a.acquiredOn.text)::date, \(a.systemReference), \(by))
            """, logger: logger)
    }

    static func acquisitions(exhibitID: UUID, on connection: PostgresConnection) async throws -> [Acquisition] {
        let rows = try await connection.query("""
            SELECT \(unescaped: acquisitionColumns) FROM exhibit_acquisitions WHERE exhibit_id = \(exhibitID) ORDER BY acquired_on, created_at, id
            """, logger: logger)
        var items: [Acquisition] = []
        for try await row in rows { items.append(try decodeAcquisition(row)) }
        return items
    }

    static func acquisitionReferenceTaken(system: ImagingSystem, reference: String, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("""
            SELECT 1 FROM exhibit_acquisitions WHERE system = \(system.rawValue) AND system_reference = \(reference)
            """, logger: logger).collect().count > 0
    }

    /// The lead's columns and two of its durations (the third, to the decision or to now, is measured in `decodeLead`).
    static let leadColumns = """
        l.id, l.exhibit_a, l.exhibit_b, l.source_system, l.source_reference, l.score, l.status, l.examination_id, l.decided_by,
        l.decided_at, l.decision_note, l.flagged_for_review, l.withdrawn_by, l.withdrawn_at, l.withdrawal_reason, l.created_by,
        l.created_at, l.version, (d.acquired - d.recovered), ((l.created_at AT TIME ZONE 'UTC')::date - d.acquired), l.decision_id
        """

    /// The later of the two exhibits' receipt, and the later of their first acquisitions.
    static let durationsJoin = """
        CROSS JOIN LATERAL (
            SELECT max(e.received_on) AS recovered,
                   CASE WHEN count(f.first) = 2 THEN max(f.first) END AS acquired
            FROM exhibits e
            LEFT JOIN LATERAL (SELECT min(a.acquired_on) AS first FROM exhibit_acquisitions a WHERE a.exhibit_id = e.id) f ON true
            WHERE e.id IN (l.exhibit_a, l.exhibit_b)
        ) d
        """

    static func decodeLead(_ row: PostgresRow, now: Date) throws -> Lead {
        let c = row.makeRandomAccess()
        let createdAt = try c[16].decode(Date.self)
        let decidedAt = try c[9].decode(Date?.self)
        return Lead(id: try c[0].decode(UUID.self), exhibitA: try c[1].decode(UUID.self), exhibitB: try c[2].decode(UUID.self),
                    sourceSystem: ImagingSystem(rawValue: try c[3].decode(String.self)) ?? .other, sourceReference: try c[4].decode(String.self),
                    score: try c[5].decode(Double?.self), status: LeadStatus(rawValue: try c[6].decode(String.self)) ?? .open,
                    examinationID: try c[7].decode(UUID?.self), decidedBy: try c[8].decode(String?.self), decidedAt: decidedAt,
                    decisionNote: try c[10].decode(String?.self), flaggedForReview: try c[11].decode(Bool.self),
                    withdrawnBy: try c[12].decode(String?.self), withdrawnAt: try c[13].decode(Date?.self),
                    withdrawalReason: try c[14].decode(String?.self), createdBy: try c[15].decode(String.self),
                    createdAt: createdAt, version: try c[17].decode(Int.self),
                    recoveryToAcquisitionDays: try c[18].decode(Int?.self), acquisitionToLeadDays: try c[19].decode(Int?.self),
                    leadToDecisionDays: (((decidedAt ?? now).timeIntervalSince(createdAt)) / 86400 * 100).rounded() / 100,
                    decisionID: try c[20].decode(UUID?.self))
    }

    static func insertLead(id: UUID, _ l: NewLead, by: String, at: Date, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO exhibit_leads (id, exhibit_a, exhibit_b, source_system, source_reference, score, created_by, created_at)
            VALUES (\(id), \(l.exhibitA), \(l.exhibitB), \(l.sourceSystem.rawValue), \(l.sourceReference), \(l.score), \(by), \(at))
            """, logger: logger)
    }

    static func findLead(id: UUID, now: Date, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Lead? {
        if forUpdate {
            _ = try await connection.query("SELECT 1 FROM exhibit_leads WHERE id = \(id) FOR UPDATE", logger: logger).collect()
        }
        let rows = try await connection.query("""
            SELECT \(unescaped: leadColumns) FROM exhibit_leads l \(unescaped: durationsJoin) WHERE l.id = \(id)
            """, logger: logger)
        for try await row in rows { return try decodeLead(row, now: now) }
        return nil
    }

    static func pairTaken(_ a: UUID, _ b: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("SELECT 1 FROM exhibit_leads WHERE exhibit_a = \(a) AND exhibit_b = \(b)", logger: logger).collect().count > 0
    }

    /// Records `decision` on the lead (the first, or one replacing `replaces`, the current one, with
    /// `reason`) and makes it the lead's current decision: the decision row, then the lead's columns,
    /// which the table accepts only as those of that row (migration 0038).
    static func decide(id: UUID, _ decision: LeadDecision, examinationID: UUID?, note: String?, flagged: Bool, replaces: UUID?, reason: String?,
                       by: String, at: Date, on connection: PostgresConnection) async throws -> UUID {
        let decisionID = UUID()
        try await connection.query("""
            INSERT INTO exhibit_lead_decisions (id, lead_id, decision, examination_id, note, flagged_for_review, replaces_id, reason,
                                                decided_by, decided_at)
            VALUES (\(decisionID), \(id), \(decision.rawValue), \(examinationID), \(note), \(flagged), \(replaces), \(reason), \(by), \(at))
            """, logger: logger)
        try await connection.query("""
            UPDATE exhibit_leads SET status = \(decision.rawValue), examination_id = \(examinationID), decision_note = \(note),
                flagged_for_review = \(flagged), decided_by = \(by), decided_at = \(at), decision_id = \(decisionID), version = version + 1
            WHERE id = \(id) AND decision_id IS NOT DISTINCT FROM \(replaces)
            """, logger: logger)
        return decisionID
    }

    /// The lead's decisions, oldest first, the current one marked.
    static func decisions(leadID: UUID, on connection: PostgresConnection) async throws -> [LeadDecisionRecord] {
        let rows = try await connection.query("""
            SELECT d.id, d.lead_id, d.decision, d.examination_id, d.note, d.flagged_for_review, d.replaces_id, d.reason, d.decided_by,
                   d.decided_at, NOT EXISTS (SELECT 1 FROM exhibit_lead_decisions r WHERE r.replaces_id = d.id)
            FROM exhibit_lead_decisions d WHERE d.lead_id = \(leadID) ORDER BY d.decided_at, d.id
            """, logger: logger)
        var all: [LeadDecisionRecord] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            all.append(LeadDecisionRecord(id: try c[0].decode(UUID.self), leadID: try c[1].decode(UUID.self),
                                          decision: LeadDecision(rawValue: try c[2].decode(String.self)) ?? .inconclusive,
                                          examinationID: try c[3].decode(UUID?.self), note: try c[4].decode(String?.self),
                                          flaggedForReview: try c[5].decode(Bool.self), replacesID: try c[6].decode(UUID?.self),
                                          reason: try c[7].decode(String?.self), decidedBy: try c[8].decode(String.self),
                                          decidedAt: try c[9].decode(Date.self), current: try c[10].decode(Bool.self)))
        }
        return all
    }

    static func withdraw(id: UUID, reason: String, by: String, at: Date, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE exhibit_leads SET withdrawn_by = \(by), withdrawn_at = \(at), withdrawal_reason = \(reason), version = version + 1
            WHERE id = \(id) AND status = 'identification' AND withdrawn_at IS NULL
            """, logger: logger)
    }

    /// Leads by status, oldest first (creation time, then id), keyset-paginated.
    static func list(status: LeadStatus?, exhibitID: UUID?, as principal: Principal, page: PageRequest, now: Date,
                     on connection: PostgresConnection) async throws -> Page<Lead> {
        let afterMillis = page.after.flatMap { Int64($0[0]) }
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let query: PostgresQuery = """
            SELECT \(unescaped: leadColumns) FROM exhibit_leads l \(unescaped: durationsJoin)
            WHERE (\(afterMillis)::bigint IS NULL OR (l.created_at, l.id) > (to_timestamp(\(afterMillis)::bigint / 1000.0), \(afterID)::uuid))
              AND (\(status?.rawValue)::text IS NULL OR l.status = \(status?.rawValue))
              AND (\(exhibitID)::uuid IS NULL OR \(exhibitID) IN (l.exhibit_a, l.exhibit_b))
              -- A lead is seen only by who may see both of its exhibits' cases.
              AND (SELECT bool_and(forensic_case_visible_to(x.case_id, \(principal.userID), \(principal.clearance.rawValue), \(principal.readsCasesThroughTraces)))
                   FROM exhibits x WHERE x.id IN (l.exhibit_a, l.exhibit_b))
            ORDER BY l.created_at, l.id
            LIMIT \(page.limit + 1)
            """
        let rows = try await connection.query(query, logger: logger)
        var items: [Lead] = []
        for try await row in rows { items.append(try decodeLead(row, now: now)) }
        return Page(fetched: items, limit: page.limit, key: { [String(Int64(($0.createdAt.timeIntervalSince1970 * 1000).rounded())), $0.id.uuidString] })
    }

    /// The cases one gun joins with `caseID`: every case reachable through current hits
    /// (identifications not withdrawn), hit by hit. UNION ends the walk on cycles.
    static func clusterCases(of caseID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query("""
            WITH RECURSIVE hits AS (
                SELECT ea.case_id AS a, eb.case_id AS b FROM exhibit_leads l
                JOIN exhibits ea ON ea.id = l.exhibit_a JOIN exhibits eb ON eb.id = l.exhibit_b
                WHERE l.status = 'identification' AND l.withdrawn_at IS NULL
            ), edges AS (
                SELECT a, b FROM hits UNION SELECT b, a FROM hits
            ), reach (case_id) AS (
                SELECT \(caseID)::uuid
                UNION
                SELECT e.b FROM edges e JOIN reach r ON e.a = r.case_id
            )
            SELECT case_id FROM reach ORDER BY case_id
            """, logger: logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// Leads between exhibits of the given cases (both ends inside), oldest first.
    static func leads(amongCases cases: [UUID], status: LeadStatus, now: Date, on connection: PostgresConnection) async throws -> [Lead] {
        let query: PostgresQuery = """
            SELECT \(unescaped: leadColumns) FROM exhibit_leads l \(unescaped: durationsJoin)
            JOIN exhibits ea ON ea.id = l.exhibit_a JOIN exhibits eb ON eb.id = l.exhibit_b
            WHERE l.status = \(status.rawValue) AND l.withdrawn_at IS NULL
              AND ea.case_id = ANY(\(cases)::uuid[]) AND eb.case_id = ANY(\(cases)::uuid[])
            ORDER BY l.created_at, l.id
            """
        let rows = try await connection.query(query, logger: logger)
        var items: [Lead] = []
        for try await row in rows { items.append(try decodeLead(row, now: now)) }
        return items
    }

    static func exhibits(ids: [UUID], on connection: PostgresConnection) async throws -> [Exhibit] {
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query("""
            SELECT \(unescaped: ExhibitStore.columns) FROM exhibits e WHERE e.id = ANY(\(ids)::uuid[]) ORDER BY e.created_at, e.id
            """, logger: logger)
        var items: [Exhibit] = []
        for try await row in rows { items.append(try ExhibitStore.decode(row)) }
        return items
    }
}
