import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO
import RegistryAPI

/// A person's decision on a record whose retention period for a use has passed. Nothing is
/// deleted: the record is kept, or its access restricted for that use.
public struct RetentionDecision: Sendable, Codable {
    public enum Decision: String, Sendable, Codable, CaseIterable {
        case keep
        case restrictAccess = "restrict_access"
    }

    public var id: UUID
    public var firearmID: UUID
    public var use: RetentionUse
    public var decision: Decision
    public var reason: String
    public var dueOn: CalendarDate
    public var decidedBy: String
    public var decidedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, use, decision, reason
        case firearmID = "firearm_id", dueOn = "due_on", decidedBy = "decided_by", decidedAt = "decided_at"
    }
}

/// The JSON body of `POST /v1/firearms/{id}/retention-decisions`.
struct RetentionDecisionBody: StrictBody {
    var use: String
    var decision: String
    var reason: String

    enum CodingKeys: String, CodingKey, CaseIterable { case use, decision, reason }
}

enum RetentionStore {
    /// The day the retention period for `years` ends for a destroyed firearm, or nil when it is not destroyed.
    static func dueOn(firearmID: UUID, years: Int, on connection: PostgresConnection) async throws -> CalendarDate? {
        let rows = try await connection.query("""
            SELECT (\(unescaped: FirearmStore.destroyedOn) + make_interval(years => \(years)::int))::date::text
            FROM firearms WHERE id = \(firearmID) AND status = 'destroyed'
            """, logger: FirearmStore.logger)
        for try await text in rows.decode(String?.self) { return text.flatMap { CalendarDate($0) } }
        return nil
    }

    static func insert(firearmID: UUID, use: RetentionUse, decision: RetentionDecision.Decision, reason: String, dueOn: CalendarDate,
                       by principal: Principal, on connection: PostgresConnection) async throws -> RetentionDecision {
        let rows = try await connection.query("""
            INSERT INTO retention_decisions (id, firearm_id, use, decision, reason, due_on, decided_by)
            VALUES (\(UUID()), \(firearmID), \(use.rawValue), \(decision.rawValue), \(reason), \(dueOn.text)::date, \(principal.username))
            RETURNING id, decided_at
            """, logger: FirearmStore.logger)
        for try await (id, at) in rows.decode((UUID, Date).self) {
            return RetentionDecision(id: id, firearmID: firearmID, use: use, decision: decision, reason: reason, dueOn: dueOn,
                                     decidedBy: principal.username, decidedAt: at)
        }
        throw Problem.internal(requestID: nil)
    }
}

extension Registry {
    /// Records the decision on a firearm whose retention period for `use` has passed.
    public func decideRetention(firearmID: UUID, use: RetentionUse, decision: RetentionDecision.Decision, reason: String,
                                by principal: Principal, requestID: String?) async throws -> RetentionDecision {
        var errors = FieldRules()
        errors.check(reason, "reason", max: 1000, required: true)
        try errors.throwIfAny()
        let years = settings.retentionYears[use] ?? 30
        let today = self.today
        do {
            return try await database.transaction { connection in
                guard try await FirearmStore.find(id: firearmID, forUpdate: true, on: connection) != nil else {
                    throw Problem.notFound("no firearm \(firearmID.uuidString.lowercased())")
                }
                guard let due = try await RetentionStore.dueOn(firearmID: firearmID, years: years, on: connection), due <= today else {
                    throw Problem.conflict("the firearm's retention period for \(use.rawValue) has not passed: nothing to decide", slug: "retention-not-due")
                }
                let recorded = try await RetentionStore.insert(firearmID: firearmID, use: use, decision: decision, reason: reason, dueOn: due,
                                                               by: principal, on: connection)
                try await AuditLog.append(AuditEntry(principal: principal, action: "firearm.retention", recordType: "firearm",
                                                     recordID: firearmID.uuidString, requestID: requestID,
                                                     detail: AuditEntry.detail(["use": use.rawValue, "decision": decision.rawValue,
                                                                                "due_on": due.text])), on: connection)
                return recorded
            }
        } catch let error as StoreError where error.sqlState == "23505" {
            throw Problem.conflict("a decision for \(use.rawValue) is recorded already", slug: "retention-decided")
        }
    }

    func addRetentionRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/firearms/{id}/retention-decisions", id: "decideRetention",
                             summary: "Record the decision on a firearm whose retention period has passed (nothing is deleted)",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("NewRetentionDecision"),
                             replies: [201: .init("recorded", schema: Schema.ref("RetentionDecision")), 404: .problem("no such firearm"),
                                       409: .problem("the period has not passed, or a decision is recorded already")])) { request, context, principal in
            let body = try await JSONBody.decode(RetentionDecisionBody.self, from: request, context: context)
            var errors: [Problem.FieldError] = []
            let use = RetentionUse(rawValue: body.use)
            if use == nil { errors.append(.init(field: "use", detail: "must be licensing or law_enforcement")) }
            let decision = RetentionDecision.Decision(rawValue: body.decision)
            if decision == nil { errors.append(.init(field: "decision", detail: "must be keep or restrict_access")) }
            guard errors.isEmpty, let use, let decision else { throw Problem.validation(errors) }
            let recorded = try await self.decideRetention(firearmID: try context.parameters.requireUUID("id"), use: use, decision: decision,
                                                          reason: body.reason, by: principal, requestID: context.requestID)
            return try Response.json(recorded, status: .created)
        }
    }

    static var retentionSchemas: [String: JSONValue] {
        let use = Schema.enumeration(RetentionUse.allCases.map(\.rawValue))
        let decision = Schema.enumeration(RetentionDecision.Decision.allCases.map(\.rawValue))
        let stored: [String: JSONValue] = ["id": Schema.uuid, "firearm_id": Schema.uuid, "use": use, "decision": decision,
                                           "reason": Schema.string, "due_on": Schema.date, "decided_by": Schema.string,
                                           "decided_at": Schema.dateTime]
        return [
            "NewRetentionDecision": Schema.object(["use": use, "decision": decision,
                                                   "reason": ["type": "string", "minLength": 1, "maxLength": 1000, "pattern": "\\S"]],
                                                  required: ["use", "decision", "reason"]),
            "RetentionDecision": Schema.object(stored, required: Array(stored.keys)),
        ]
    }
}
