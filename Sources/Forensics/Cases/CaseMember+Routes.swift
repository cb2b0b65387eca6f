import Foundation
import ForensicsAPI
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO

/// A case's team: who may see a `confidential` or `secret` case. A member who is an examiner adds
/// and removes members, each change with its audit entry in the same transaction.
extension Forensics {
    /// Roles that read cases: a team's members hold one of them.
    static let caseReadingRoles: Set<Role> = [.analyst, .examiner, .liaison]

    var team: Team { Team(store: CaseMemberStore, record: "case", memberRoles: Self.caseReadingRoles, users: users) }

    static func subject(_ found: ForensicCase) -> Team.Subject {
        Team.Subject(id: found.id, reference: found.reference, level: Clearance(rawValue: found.confidentiality.rawValue) ?? .secret)
    }

    func members(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [CaseMember] {
        try await database.withConnection { connection in
            let found = try await requireVisibleCase(caseID, by: principal, requestID: requestID, on: connection)
            return try await team.list(Self.subject(found), by: principal, requestID: requestID, audit: audit, on: connection)
        }
    }

    /// Adds `userID` to the case's team. The one who adds is a current member (or, on a case with
    /// no team yet that they may see, any examiner); the new member holds a role that reads cases
    /// and a clearance that reaches the case's level.
    /// Adds `userID` to the case's team (the kit's rules: a current member adds; the new member
    /// reads cases and is cleared to the case's level).
    func addMember(caseID: UUID, userID: UUID, reason: String, by principal: Principal, requestID: String?) async throws -> CaseMember {
        let account = try await team.candidate(userID)
        return try await database.transaction { connection in
            let found = try await requireVisibleCase(caseID, by: principal, requestID: requestID, forUpdate: true, on: connection)
            return try await team.add(account, reason: reason, to: Self.subject(found), by: principal, requestID: requestID, on: connection)
        }
    }

    /// Ends `userID`'s membership. A `confidential` or `secret` case keeps at least one member.
    func removeMember(caseID: UUID, userID: UUID, by principal: Principal, requestID: String?) async throws -> CaseMember {
        try await database.transaction { connection in
            let found = try await requireVisibleCase(caseID, by: principal, requestID: requestID, forUpdate: true, on: connection)
            return try await team.remove(userID, from: Self.subject(found), by: principal, requestID: requestID, on: connection)
        }
    }

    func addMemberRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.get, "/v1/cases/{id}/members", id: "listCaseMembers",
                             summary: "A case's team, current and past: who may see a confidential or secret case",
                             tag: name, access: Self.caseReaders, parameters: [.id()],
                             replies: [200: .init("the memberships, oldest first", schema: Schema.array(Schema.ref("CaseMember"))),
                                       404: .problem("no such case")])) { _, context, principal in
            try Response.json(try await self.members(caseID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/cases/{id}/members", id: "addCaseMember",
                             summary: "Add a user to a case's team, with the reason (a member who is an examiner)",
                             tag: name, access: Self.caseWriters, parameters: [.id()], body: Schema.ref("NewCaseMember"),
                             replies: [201: .init("added", schema: Schema.ref("CaseMember")), 404: .problem("no such case"),
                                       403: .problem("the role is not held, or the caller is not a member of the case's team"),
                                       409: .problem("the user is a member already")])) { request, context, principal in
            let body = try await JSONBody.decode(TeamMemberBody.self, from: request, context: context)
            let member = try await self.addMember(caseID: try context.parameters.requireUUID("id"), userID: body.userID, reason: body.reason,
                                                  by: principal, requestID: context.requestID)
            return try Response.json(member, status: .created)
        }
        routes.add(RouteSpec(.delete, "/v1/cases/{id}/members/{user_id}", id: "removeCaseMember",
                             summary: "End a user's membership of a case's team (a member who is an examiner)",
                             tag: name, access: Self.caseWriters, parameters: [.id(), .id("user_id", "the member's user id")],
                             replies: [200: .init("the ended membership", schema: Schema.ref("CaseMember")),
                                       403: .problem("the role is not held, or the caller is not a member of the case's team"),
                                       404: .problem("no such case or current member"),
                                       409: .problem("the last member of a confidential or secret case stays")])) { _, context, principal in
            try Response.json(try await self.removeMember(caseID: try context.parameters.requireUUID("id"),
                                                          userID: try context.parameters.requireUUID("user_id"),
                                                          by: principal, requestID: context.requestID))
        }
    }

    static var memberSchemas: [String: JSONValue] { Team.schemas(member: "CaseMember", body: "NewCaseMember", recordKey: "case_id") }
}
