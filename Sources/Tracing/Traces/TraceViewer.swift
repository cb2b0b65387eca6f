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

    func members(traceID: UUID, by principal: Principal, requestID: String?) async throws -> [TeamMember] {
        try await database.withConnection { connection in
            let found = try await requireVisibleTrace(traceID, by: principal, requestID: requestID, on: connection)
            return try await team.list(Self.subject(found), by: principal, requestID: requestID, audit: audit, on: connection)
        }
    }

    func addMember(traceID: UUID, userID: UUID, reason: String, by principal: Principal, requestID: String?) async throws -> TeamMember {
        let account = try await team.candidate(userID)
        return try await database.transaction { connection in
            let found = try await requireVisibleTrace(traceID, by: principal, requestID: requestID, forUpdate: true, on: connection)
            return try await team.add(account, reason: reason, to: Self.subject(found), by: principal, requestID: requestID, on: connection)
        }
    }

    func removeMember(traceID: UUID, userID: UUID, by principal: Principal, requestID: String?) async throws -> TeamMember {
        try await database.transaction { connection in
            let found = try await requireVisibleTrace(traceID, by: principal, requestID: requestID, forUpdate: true, on: connection)
            return try await team.remove(userID, from: Self.subject(found), by: principal, requestID: requestID, on: connection)
        }
    }

    func addTeamRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.get, "/v1/traces/{id}/members", id: "listTraceMembers",
                             summary: "A trace's team, current and past: who may see a confidential or secret request",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the memberships, oldest first", schema: Schema.array(Schema.ref("TraceMember"))),
                                       404: .problem("no such request")])) { _, context, principal in
            try Response.json(try await self.members(traceID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/traces/{id}/members", id: "addTraceMember",
                             summary: "Add a liaison officer, analyst or legal reviewer to a trace's team, with the reason (a member who is a liaison officer)",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("NewTraceMember"),
                             replies: [201: .init("added", schema: Schema.ref("TraceMember")), 404: .problem("no such request"),
                                       403: .problem("the role is not held, or the caller is not a member of the trace's team"),
                                       409: .problem("the user is a member already")])) { request, context, principal in
            let body = try await JSONBody.decode(TeamMemberBody.self, from: request, context: context)
            let member = try await self.addMember(traceID: try context.parameters.requireUUID("id"), userID: body.userID, reason: body.reason,
                                                  by: principal, requestID: context.requestID)
            return try Response.json(member, status: .created)
        }
        routes.add(RouteSpec(.delete, "/v1/traces/{id}/members/{user_id}", id: "removeTraceMember",
                             summary: "End a user's membership of a trace's team (a member who is a liaison officer)",
                             tag: name, access: Self.writers, parameters: [.id(), .id("user_id", "the member's user id")],
                             replies: [200: .init("the ended membership", schema: Schema.ref("TraceMember")),
                                       403: .problem("the role is not held, or the caller is not a member of the trace's team"),
                                       404: .problem("no such request or current member"),
                                       409: .problem("the last member of a confidential or secret request stays")])) { _, context, principal in
            try Response.json(try await self.removeMember(traceID: try context.parameters.requireUUID("id"),
                                                          userID: try context.parameters.requireUUID("user_id"),
                                                          by: principal, requestID: context.requestID))
        }
    }

    static var teamSchemas: [String: JSONValue] { Team.schemas(member: "TraceMember", body: "NewTraceMember", recordKey: "trace_id") }
}
