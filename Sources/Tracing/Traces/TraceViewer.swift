import Foundation
import ForensicsAPI
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO

/// Who reads a trace, as the need-to-know rule sees them: a `standard` or `restricted` trace is
/// seen by anyone whose role reads traces and whose clearance reaches its level; a `confidential`
/// or `secret` one only by the current members of its team so cleared; a trace made from a case
/// only by who may see the case (`trace_visible`, migration 0034).
struct TraceViewer: Sendable {
    var userID: UUID?
    var clearance: Clearance

    init(_ principal: Principal) {
        userID = principal.userID
        clearance = principal.clearance
    }
}

/// The trace_members table (migration 0034).
let TraceMemberStore = TeamStore(table: "trace_members", key: "trace_id", logger: TraceStore.logger)

extension Tracing {
    /// Roles whose holders may be members of a trace's team: who drafts and sends, who reads, who
    /// gives the legal review.
    static let traceReadingRoles: Set<Role> = [.liaison, .analyst, .legal]

    var team: Team { Team(store: TraceMemberStore, record: "trace", memberRoles: Self.traceReadingRoles, users: users) }

    static func subject(_ found: Trace) -> Team.Subject {
        Team.Subject(id: found.id, reference: found.reference, level: Clearance(rawValue: found.confidentiality.rawValue) ?? .secret)
    }

    /// The trace `id` as `principal` may see it, or nil: absent and hidden answer alike (404), so a
    /// trace's existence is not disclosed. A hidden trace's refusal is an audit entry
    /// (`trace.denied`, with the rule).
    func visibleTrace(_ id: UUID, by principal: Principal, requestID: String?, forUpdate: Bool = false,
                      on connection: PostgresConnection) async throws -> Trace? {
        guard let (found, visible) = try await TraceStore.find(id: id, as: TraceViewer(principal), forUpdate: forUpdate, on: connection) else {
            return nil
        }
        if visible { return found }
        let level = Clearance(rawValue: found.confidentiality.rawValue) ?? .secret
        let rule = principal.clearance < level
            ? "clearance \(principal.clearance.rawValue) is below the trace's \(level.rawValue)"
            : level.needsMembership ? "a \(level.rawValue) trace is seen by the members of its team only"
            : "the trace follows case \(found.caseID?.uuidString.lowercased() ?? ""), which the user may not see"
        try await audit.record(AuditEntry(principal: principal, action: "trace.denied", recordType: "trace", recordID: id.uuidString,
                                          requestID: requestID, outcome: .denied,
                                          detail: AuditEntry.detail(["rule": rule, "confidentiality": found.confidentiality.rawValue])))
        return nil
    }

    /// The same, throwing 404 when the trace is absent or hidden.
    func requireVisibleTrace(_ id: UUID, by principal: Principal, requestID: String?, forUpdate: Bool = false,
                             on connection: PostgresConnection) async throws -> Trace {
        guard let found = try await visibleTrace(id, by: principal, requestID: requestID, forUpdate: forUpdate, on: connection) else {
            throw Problem.notFound("no trace \(id.uuidString.lowercased())")
        }
        return found
    }

    func addTeamRoutes(to routes: RouteRegistry) {
        TeamRoutes(team: team, database: database, audit: audit) { id, principal, requestID, forUpdate, connection in
            Self.subject(try await requireVisibleTrace(id, by: principal, requestID: requestID, forUpdate: forUpdate, on: connection))
        }.register(on: routes, records: "/v1/traces", noun: "Trace", tag: name, readers: Self.readers, writers: Self.writers,
                   memberSchema: "TraceMember", bodySchema: "NewTraceMember",
                   summaries: (list: "A trace's team, current and past: who may see a confidential or secret request",
                               add: "Add a liaison officer, analyst or legal reviewer to a trace's team, with the reason (a member who is a liaison officer)",
                               remove: "End a user's membership of a trace's team (a member who is a liaison officer)"))
    }

    static var teamSchemas: [String: JSONValue] { Team.schemas(member: "TraceMember", body: "NewTraceMember", recordKey: "trace_id") }
}
