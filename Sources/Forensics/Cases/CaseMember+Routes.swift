import Foundation
import ForensicsAPI
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO

/// The body of `POST /v1/cases/{id}/members`.
struct CaseMemberBody: StrictBody {
    var userID: UUID
    var reason: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case reason
        case userID = "user_id"
    }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.text(reason, "reason", max: 1000)
        try rules.throwIfAny()
    }
}

/// A case's team: who may see a `confidential` or `secret` case. A member who is an examiner adds
/// and removes members, each change with its audit entry in the same transaction.
extension Forensics {
    /// Roles that read cases: a team's members hold one of them.
    static let caseReadingRoles: Set<Role> = [.analyst, .examiner, .liaison]

    func members(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [CaseMember] {
        let members = try await database.withConnection { connection in
            _ = try await requireVisibleCase(caseID, by: principal, requestID: requestID, on: connection)
            return try await CaseMemberStore.list(caseID: caseID, on: connection)
        }
        try await audit.record(AuditEntry(principal: principal, action: "case.members", recordType: "case", recordID: caseID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["members": "\(members.count)"])))
        return members
    }

    /// Adds `userID` to the case's team. The one who adds is a current member (or, on a case with
    /// no team yet that they may see, any examiner); the new member holds a role that reads cases
    /// and a clearance that reaches the case's level.
    func addMember(caseID: UUID, userID: UUID, reason: String, by principal: Principal, requestID: String?) async throws -> CaseMember {
        guard let account = try await users.account(id: userID), !account.disabled else {
            throw Problem.invalid("user_id", "no active user has this id")
        }
        if account.roles.isDisjoint(with: Self.caseReadingRoles) {
            throw Problem.invalid("user_id", "\(account.username) holds no role that reads cases (analyst, examiner, liaison)")
        }
        return try await database.transaction { connection in
            let found = try await requireVisibleCase(caseID, by: principal, requestID: requestID, forUpdate: true, on: connection)
            try await Self.requireTeamWriter(found, principal, on: connection)
            if account.clearance.rank < (Clearance(rawValue: found.confidentiality.rawValue) ?? .secret).rank {
                throw Problem.invalid("user_id", "\(account.username)'s clearance (\(account.clearance.rawValue)) is below the case's "
                                      + "\(found.confidentiality.rawValue)")
            }
            guard let member = try await CaseMemberStore.add(caseID: caseID, userID: userID, username: account.username, reason: reason,
                                                             by: principal.username, on: connection) else {
                throw Problem.conflict("\(account.username) is a member of case \(found.reference) already", slug: "member-exists")
            }
            try await AuditLog.append(AuditEntry(principal: principal, action: "case.member.add", recordType: "case",
                                                 recordID: caseID.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["user_id": userID.uuidString.lowercased(), "username": account.username,
                                                                            "reason": reason])),
                                      on: connection)
            return member
        }
    }

    /// Ends `userID`'s membership. A `confidential` or `secret` case keeps at least one member.
    func removeMember(caseID: UUID, userID: UUID, by principal: Principal, requestID: String?) async throws -> CaseMember {
        try await database.transaction { connection in
            let found = try await requireVisibleCase(caseID, by: principal, requestID: requestID, forUpdate: true, on: connection)
            try await Self.requireTeamWriter(found, principal, on: connection)
            guard let ended = try await CaseMemberStore.end(caseID: caseID, userID: userID, by: principal.username, on: connection) else {
                throw Problem.notFound("no current member \(userID.uuidString.lowercased()) of case \(found.reference)")
            }
            let needsTeam = Clearance(rawValue: found.confidentiality.rawValue)?.needsMembership ?? true
            if needsTeam, try await CaseMemberStore.currentCount(caseID: caseID, on: connection) == 0 {
                throw Problem.conflict("case \(found.reference) is \(found.confidentiality.rawValue): its last member stays", slug: "last-member")
            }
            try await AuditLog.append(AuditEntry(principal: principal, action: "case.member.remove", recordType: "case",
                                                 recordID: caseID.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["user_id": userID.uuidString.lowercased(), "username": ended.username])),
                                      on: connection)
            return ended
        }
    }

    /// Who may change a case's team: a current member; on a case with no team yet (one recorded
    /// before teams, or by the demo), whoever may see it.
    static func requireTeamWriter(_ found: ForensicCase, _ principal: Principal, on connection: PostgresConnection) async throws {
        if try await CaseMemberStore.isCurrentMember(caseID: found.id, userID: principal.userID, on: connection) { return }
        if try await CaseMemberStore.currentCount(caseID: found.id, on: connection) == 0 { return }
        throw Problem.forbidden("only a member of case \(found.reference)'s team changes its team")
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
            let body = try await JSONBody.decode(CaseMemberBody.self, from: request, context: context)
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

    static var memberSchemas: [String: JSONValue] {
        [
            "CaseMember": Schema.object([
                "id": Schema.uuid, "case_id": Schema.uuid, "user_id": Schema.uuid, "username": Schema.string, "reason": Schema.string,
                "added_by": Schema.string, "added_at": Schema.dateTime, "removed_by": Schema.nullable("string"),
                "removed_at": Schema.nullable("string", format: "date-time"),
            ], required: ["id", "case_id", "user_id", "username", "reason", "added_by", "added_at", "removed_by", "removed_at"]),
            "NewCaseMember": Schema.object([
                "user_id": Schema.uuid, "reason": Forensics.text(1000),
            ], required: ["user_id", "reason"]),
        ]
    }
}
