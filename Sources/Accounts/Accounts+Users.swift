import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// Users an administrator manages, and the audit of their reads.
extension Accounts {

    public struct NewUser: Sendable {
        public var username: Username
        public var password: String
        public var roles: Set<Role>
        public var displayName: String?
        public var clearance: Clearance
        public init(username: Username, password: String, roles: Set<Role>, displayName: String? = nil, clearance: Clearance = .standard) {
            self.username = username
            self.password = password
            self.roles = roles
            self.displayName = displayName
            self.clearance = clearance
        }
    }

    public func createUser(_ new: NewUser, by principal: Principal, requestID: String?) async throws -> User {
        if let reason = PasswordPolicy.problem(with: new.password) { throw Problem.invalid("password", reason) }
        guard !new.roles.isEmpty else { throw Problem.invalid("roles", "must name at least one role") }
        if let reason = Role.separationProblem(new.roles) { throw Problem.invalid("roles", reason) }
        // A password an administrator chose for someone is temporary; the operator's `ifcd user
        // add` (no user behind the principal) sets a lasting one.
        let temporary = principal.userID != nil
        let hash = try await hasher.hash(new.password)
        let id = UUID()
        do {
            return try await database.transaction { connection in
                let user = try await UserStore.insert(id: id, username: new.username, displayName: new.displayName,
                                                      passwordHash: hash, roles: new.roles, clearance: new.clearance,
                                                      mustChangePassword: temporary, on: connection)
                try await AuditLog.append(AuditEntry(principal: principal, action: "user.create", recordType: "user",
                                                     recordID: user.id.uuidString, requestID: requestID,
                                                     detail: user.auditDetail), on: connection)
                return user
            }
        } catch let error as StoreError where error.sqlState == "23505" {
            throw Problem.conflict("a user named \(new.username) exists already", slug: "duplicate")
        }
    }

    public struct UserChanges: Sendable {
        public var displayName: String??
        public var roles: Set<Role>?
        public var clearance: Clearance?
        public var disabled: Bool?
        public var password: String?
        public var unlock: Bool = false
        public init(displayName: String?? = nil, roles: Set<Role>? = nil, clearance: Clearance? = nil, disabled: Bool? = nil,
                    password: String? = nil, unlock: Bool = false) {
            self.displayName = displayName
            self.roles = roles
            self.clearance = clearance
            self.disabled = disabled
            self.password = password
            self.unlock = unlock
        }
    }

    /// Changes a user at the version the caller read (412 otherwise). An administrator cannot
    /// disable themselves or drop their own admin role: that would lock the node out.
    public func updateUser(id: UUID, expectedVersion: Int, changes: UserChanges, by principal: Principal,
                           requestID: String?) async throws -> User {
        let own = principal.userID == id
        if own {
            if changes.disabled == true { throw Problem.invalid("disabled", "you cannot disable your own account") }
            // No one grants themselves a role or drops one: another administrator does.
            if changes.roles != nil { throw Problem.invalid("roles", "you cannot change your own roles: another administrator does") }
            if changes.clearance != nil { throw Problem.invalid("clearance", "you cannot change your own clearance: another administrator does") }
        }
        if let roles = changes.roles, let reason = Role.separationProblem(roles) { throw Problem.invalid("roles", reason) }
        if let password = changes.password, let reason = PasswordPolicy.problem(with: password) {
            throw Problem.invalid("password", reason)
        }
        if let roles = changes.roles, roles.isEmpty { throw Problem.invalid("roles", "must name at least one role") }
        let hash: String? = if let password = changes.password { try await hasher.hash(password) } else { nil }
        // Roles, disabling and passwords change what a token may do: drop cached principals once committed.
        defer { tokenCache.invalidateAll() }
        return try await database.transaction { connection in
            guard let current = try await UserStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no user \(id)")
            }
            try ETag.check(expected: expectedVersion, current: current.version, record: "user \(current.username)")
            if changes.unlock { try await LoginAttemptStore.unlock(username: current.username, on: connection) }
            // A password set for someone else is a reset: temporary, to be changed at next login,
            // so that an administrator cannot silently go on as that user.
            let reset = hash != nil && !own
            let updated = try await UserStore.update(id: id, changes: .init(displayName: changes.displayName, roles: changes.roles,
                                                                            clearance: changes.clearance,
                                                                            disabled: changes.disabled, passwordHash: hash,
                                                                            unlock: changes.unlock,
                                                                            mustChangePassword: hash == nil ? nil : reset), on: connection)
            var detail = "{\"before\":\(current.auditDetail),\"after\":\(updated.auditDetail)"
            if hash != nil {
                // A new password ends every session of the old one (a stolen token included).
                let revoked = try await TokenStore.revokeAll(userID: id, now: environment.now(), on: connection)
                detail += ",\"password_changed\":true,\"temporary\":\(reset),\"tokens_revoked\":\(revoked)"
            }
            detail += "}"
            try await AuditLog.append(AuditEntry(principal: principal, action: reset ? "user.password_reset" : "user.update",
                                                 recordType: "user", recordID: id.uuidString, requestID: requestID, detail: detail),
                                      on: connection)
            return updated
        }
    }

    public func user(id: UUID, by principal: Principal, requestID: String?) async throws -> User {
        guard let user = try await database.withConnection({ try await UserStore.find(id: id, on: $0) }) else {
            throw Problem.notFound("no user \(id)")
        }
        try await recordRead(AuditEntry(principal: principal, action: "user.read", recordType: "user",
                                        recordID: id.uuidString, requestID: requestID))
        return user
    }

    public func users(page: PageRequest, role: Role?, disabled: Bool?, by principal: Principal, requestID: String?) async throws -> Page<User> {
        let result = try await database.withConnection { try await UserStore.list(page: page, role: role, disabled: disabled, on: $0) }
        var query: [String: String] = [:]
        if let role { query["role"] = role.rawValue }
        if let disabled { query["disabled"] = "\(disabled)" }
        try await recordReads(AuditEntry.reads(of: result.items.map(\.id), action: "user.list", recordType: "user",
                                               principal: principal, requestID: requestID, query: query))
        return result
    }

    /// A read's entry, committed before the data is answered.
    func recordRead(_ entry: AuditEntry) async throws {
        try await recordReads([entry])
    }

    /// Through the group-commit writer when serving; in one transaction from the CLI, which runs none.
    func recordReads(_ entries: [AuditEntry]) async throws {
        if let audit {
            try await audit.record(entries)
        } else {
            try await database.transaction { connection in
                for entry in entries { try await AuditLog.append(entry, on: connection) }
            }
        }
    }
}

/// Whether a username is an active account (the exhibits module's receivers).
extension Accounts: UserDirectory {
    public func isActiveUser(_ username: String) async throws -> Bool {
        guard let user = try await database.withConnection({ try await UserStore.find(username: username, on: $0) }) else { return false }
        return !user.disabled
    }

    public func account(id: UUID) async throws -> DirectoryAccount? {
        guard let user = try await database.withConnection({ try await UserStore.find(id: id, on: $0) }) else { return nil }
        return DirectoryAccount(id: user.id, username: user.username, roles: Set(user.roles), clearance: user.clearance,
                                disabled: user.disabled)
    }

    public func account(username: String) async throws -> DirectoryAccount? {
        guard let user = try await database.withConnection({ try await UserStore.find(username: username, on: $0) }) else { return nil }
        return DirectoryAccount(id: user.id, username: user.username, roles: Set(user.roles), clearance: user.clearance,
                                disabled: user.disabled)
    }
}
