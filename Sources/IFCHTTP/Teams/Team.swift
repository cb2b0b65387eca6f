import Foundation
import IFCCore
import IFCStore
import Hummingbird
import PostgresNIO

/// The body of `POST /v1/{records}/{id}/members`.
public struct TeamMemberBody: StrictBody {
    public var userID: UUID
    public var reason: String

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case reason
        case userID = "user_id"
    }

    public func validate() throws(Problem) {
        var rules = FieldRules()
        rules.text(reason, "reason", max: 1000)
        try rules.throwIfAny()
    }
}

/// A record's team (a case's, a trace's), the rules said once: a member is added with a reason by
/// a current member (or by whoever may see a record with no team yet), holds a role that reads the
/// record and a clearance that reaches its level; a `confidential` or `secret` record keeps its
/// last member; each change is an audit entry in the same transaction. The module finds the
/// record (as the caller may see it, locked) and passes its level.
public struct Team: Sendable {
    public let store: TeamStore
    /// The record's name in messages and audit actions: `case`, `trace`.
    public let record: String
    /// Roles whose holders may be members.
    public let memberRoles: Set<Role>
    let users: any UserDirectory

    public init(store: TeamStore, record: String, memberRoles: Set<Role>, users: any UserDirectory) {
        self.store = store
        self.record = record
        self.memberRoles = memberRoles
        self.users = users
    }

    /// A record found for a team change: its id, reference and level.
    public struct Subject: Sendable {
        public var id: UUID
        public var reference: String
        public var level: Clearance
        public init(id: UUID, reference: String, level: Clearance) {
            self.id = id
            self.reference = reference
            self.level = level
        }
    }

    /// Every membership, with the read's audit entry.
    public func list(_ subject: Subject, by principal: Principal, requestID: String?, audit: AuditWriter,
                     on connection: PostgresConnection) async throws -> [TeamMember] {
        let members = try await store.list(subject.id, on: connection)
        try await audit.record(AuditEntry(principal: principal, action: "\(record).members", recordType: record, recordID: subject.id.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["members": "\(members.count)"])))
        return members
    }

    /// The account to add, checked before the record is locked: active, and holding a member role.
    public func candidate(_ userID: UUID) async throws -> DirectoryAccount {
        guard let account = try await users.account(id: userID), !account.disabled else {
            throw Problem.invalid("user_id", "no active user has this id")
        }
        if account.roles.isDisjoint(with: memberRoles) {
            let names = memberRoles.sorted().map(\.rawValue).joined(separator: ", ")
            throw Problem.invalid("user_id", "\(account.username) holds no role that reads \(record)s (\(names))")
        }
        return account
    }

    public func add(_ account: DirectoryAccount, reason: String, to subject: Subject, by principal: Principal, requestID: String?,
                    on connection: PostgresConnection) async throws -> TeamMember {
        try await requireWriter(subject, principal, on: connection)
        if account.clearance < subject.level {
            throw Problem.invalid("user_id", "\(account.username)'s clearance (\(account.clearance.rawValue)) is below the \(record)'s "
                                  + "\(subject.level.rawValue)")
        }
        guard let member = try await store.add(subject.id, userID: account.id, username: account.username, reason: reason,
                                               by: principal.username, on: connection) else {
            throw Problem.conflict("\(account.username) is a member of \(record) \(subject.reference) already", slug: "member-exists")
        }
        try await AuditLog.append(AuditEntry(principal: principal, action: "\(record).member.add", recordType: record,
                                             recordID: subject.id.uuidString, requestID: requestID,
                                             detail: AuditEntry.detail(["user_id": account.id.uuidString.lowercased(), "username": account.username,
                                                                        "reason": reason])),
                                  on: connection)
        return member
    }

    public func remove(_ userID: UUID, from subject: Subject, by principal: Principal, requestID: String?,
                       on connection: PostgresConnection) async throws -> TeamMember {
        try await requireWriter(subject, principal, on: connection)
        guard let ended = try await store.end(subject.id, userID: userID, by: principal.username, on: connection) else {
            throw Problem.notFound("no current member \(userID.uuidString.lowercased()) of \(record) \(subject.reference)")
        }
        if subject.level.needsMembership, try await store.currentCount(subject.id, on: connection) == 0 {
            throw Problem.conflict("\(record) \(subject.reference) is \(subject.level.rawValue): its last member stays", slug: "last-member")
        }
        try await AuditLog.append(AuditEntry(principal: principal, action: "\(record).member.remove", recordType: record,
                                             recordID: subject.id.uuidString, requestID: requestID,
                                             detail: AuditEntry.detail(["user_id": userID.uuidString.lowercased(), "username": ended.username])),
                                  on: connection)
        return ended
    }

    /// Who may change a team: a current member; on a record with no team yet (one recorded before
    /// teams, or by the demo), whoever may see it.
    public func requireWriter(_ subject: Subject, _ principal: Principal, on connection: PostgresConnection) async throws {
        if try await store.isCurrentMember(subject.id, userID: principal.userID, on: connection) { return }
        if try await store.currentCount(subject.id, on: connection) == 0 { return }
        throw Problem.forbidden("only a member of \(record) \(subject.reference)'s team changes its team")
    }

    /// The API document's schemas: the membership (`recordKey` naming the record's id) and the body.
    public static func schemas(member: String, body: String, recordKey: String) -> [String: JSONValue] {
        [
            member: Schema.object([
                "id": Schema.uuid, recordKey: Schema.uuid, "user_id": Schema.uuid, "username": Schema.string, "reason": Schema.string,
                "added_by": Schema.string, "added_at": Schema.dateTime, "removed_by": Schema.nullable("string"),
                "removed_at": Schema.nullable("string", format: "date-time"),
            ], required: ["id", recordKey, "user_id", "username", "reason", "added_by", "added_at", "removed_by", "removed_at"]),
            body: Schema.object([
                "user_id": Schema.uuid, "reason": ["type": "string", "minLength": 1, "maxLength": 1000, "pattern": "\\S"],
            ], required: ["user_id", "reason"]),
        ]
    }
}

/// The three team routes of a record (`GET`/`POST {records}/{id}/members`,
/// `DELETE {records}/{id}/members/{user_id}`), said once: the module names its paths, roles and
/// schema names, and how it finds the record as the caller may see it (404 when hidden).
public struct TeamRoutes: Sendable {
    /// The record as `principal` may see it, locked when `forUpdate` (404 when absent or hidden).
    public typealias Find = @Sendable (UUID, Principal, String?, Bool, PostgresConnection) async throws -> Team.Subject

    public let team: Team
    public let database: Database
    public let audit: AuditWriter
    public let find: Find

    public init(team: Team, database: Database, audit: AuditWriter, find: @escaping Find) {
        self.team = team
        self.database = database
        self.audit = audit
        self.find = find
    }

    public func members(_ id: UUID, by principal: Principal, requestID: String?) async throws -> [TeamMember] {
        try await database.withConnection { connection in
            let subject = try await find(id, principal, requestID, false, connection)
            return try await team.list(subject, by: principal, requestID: requestID, audit: audit, on: connection)
        }
    }

    public func add(_ userID: UUID, reason: String, to id: UUID, by principal: Principal, requestID: String?) async throws -> TeamMember {
        let account = try await team.candidate(userID)
        return try await database.transaction { connection in
            let subject = try await find(id, principal, requestID, true, connection)
            return try await team.add(account, reason: reason, to: subject, by: principal, requestID: requestID, on: connection)
        }
    }

    public func remove(_ userID: UUID, from id: UUID, by principal: Principal, requestID: String?) async throws -> TeamMember {
        try await database.transaction { connection in
            let subject = try await find(id, principal, requestID, true, connection)
            return try await team.remove(userID, from: subject, by: principal, requestID: requestID, on: connection)
        }
    }

    /// Registers the routes under `records` (`/v1/cases`), operation ids `list|add|remove<Noun>Member`.
    public func register(on routes: RouteRegistry, records: String, noun: String, tag: String, readers: RouteSpec.Access,
                         writers: RouteSpec.Access, memberSchema: String, bodySchema: String, summaries: (list: String, add: String, remove: String)) {
        let record = team.record
        routes.add(RouteSpec(.get, "\(records)/{id}/members", id: "list\(noun)Members", summary: summaries.list, tag: tag, access: readers,
                             parameters: [.id()],
                             replies: [200: .init("the memberships, oldest first", schema: Schema.array(Schema.ref(memberSchema))),
                                       404: .problem("no such \(record)")])) { _, context, principal in
            try Response.json(try await members(try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "\(records)/{id}/members", id: "add\(noun)Member", summary: summaries.add, tag: tag, access: writers,
                             parameters: [.id()], body: Schema.ref(bodySchema),
                             replies: [201: .init("added", schema: Schema.ref(memberSchema)), 404: .problem("no such \(record)"),
                                       403: .problem("the role is not held, or the caller is not a member of the \(record)'s team"),
                                       409: .problem("the user is a member already")])) { request, context, principal in
            let body = try await JSONBody.decode(TeamMemberBody.self, from: request, context: context)
            let member = try await add(body.userID, reason: body.reason, to: try context.parameters.requireUUID("id"), by: principal,
                                       requestID: context.requestID)
            return try Response.json(member, status: .created)
        }
        routes.add(RouteSpec(.delete, "\(records)/{id}/members/{user_id}", id: "remove\(noun)Member", summary: summaries.remove, tag: tag,
                             access: writers, parameters: [.id(), .id("user_id", "the member's user id")],
                             replies: [200: .init("the ended membership", schema: Schema.ref(memberSchema)),
                                       403: .problem("the role is not held, or the caller is not a member of the \(record)'s team"),
                                       404: .problem("no such \(record) or current member"),
                                       409: .problem("the last member of a confidential or secret \(record) stays")])) { _, context, principal in
            try Response.json(try await remove(try context.parameters.requireUUID("user_id"), from: try context.parameters.requireUUID("id"),
                                               by: principal, requestID: context.requestID))
        }
    }
}
