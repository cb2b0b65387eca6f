import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// Users, tokens and login: the rules, apart from HTTP so that the CLI uses them too.
public struct Accounts: IFCModule {
    public struct Settings: Sendable {
        public var tokenTTL: TimeInterval = 8 * 3600
        public var maxFailedLogins = 5
        public var lockout: TimeInterval = 15 * 60
        /// Login attempts one client address may make per minute, whatever the usernames.
        public var loginsPerMinutePerAddress = 30
        /// How long a token's principal may be used without asking the database (at most a
        /// second; zero: always ask). See `TokenCache`.
        public var tokenCacheTTL: Duration = .zero
        public init(tokenTTL: TimeInterval = 8 * 3600, maxFailedLogins: Int = 5, lockout: TimeInterval = 15 * 60,
                    loginsPerMinutePerAddress: Int = 30, tokenCacheTTL: Duration = .zero) {
            self.tokenCacheTTL = tokenCacheTTL
            self.tokenTTL = tokenTTL
            self.maxFailedLogins = maxFailedLogins
            self.lockout = lockout
            self.loginsPerMinutePerAddress = loginsPerMinutePerAddress
        }
    }

    public let name = "accounts"
    let database: Database
    let audit: AuditWriter?
    let hasher: PasswordHasher
    let environment: AppEnvironment
    let settings: Settings
    let throttle: LoginThrottle
    /// Recently seen tokens' principals (off unless `settings.tokenCacheTTL` is above zero and
    /// `tokenCache.listen` runs).
    public let tokenCache: TokenCache

    public init(database: Database, audit: AuditWriter?, hasher: PasswordHasher, environment: AppEnvironment, settings: Settings = .init()) {
        self.tokenCache = TokenCache(ttl: settings.tokenCacheTTL)
        self.throttle = LoginThrottle(perMinute: settings.loginsPerMinutePerAddress)
        self.database = database
        self.audit = audit
        self.hasher = hasher
        self.environment = environment
        self.settings = settings
    }

    // MARK: - Authentication

    /// The principal of a bearer token, or nil when it is unknown, expired, revoked or its user disabled.
    public func principal(forToken token: String) async throws -> Principal? {
        do {
            return try await TokenStore.principal(token: token, now: environment.now(), database: database, cache: tokenCache)
        } catch let error as PSQLError {
            throw StoreError(error)
        }
    }

    public struct LoginResult: Sendable, Encodable {
        public var token: String
        public var tokenType = "Bearer"
        public var expiresAt: Date
        /// The password was reset by an administrator: change it (`POST /v1/me/password`)
        /// before the token reaches any record.
        public var passwordChangeRequired = false
        enum CodingKeys: String, CodingKey {
            case token
            case tokenType = "token_type"
            case expiresAt = "expires_at"
            case passwordChangeRequired = "password_change_required"
        }
    }

    private enum LoginOutcome: Sendable {
        case success(TokenStore.Issued, mustChange: Bool)
        case wrongPassword(lockedNow: Date?)
    }

    /// Checks a password; audits the attempt either way. Before any bcrypt work: a per-address
    /// throttle (429), then the (username, address) pair's lock (429). Unknown and known
    /// usernames answer alike, locked or not: failures are counted and locked per pair of the
    /// name as typed and the client address, so guessing from one address never locks the
    /// account for anyone else, and an administrator can unlock it.
    public func login(username rawName: String, password: String, address rawAddress: String? = nil,
                      requestID: String?) async throws -> LoginResult {
        let attemptedName = String(rawName.prefix(64))
        let key = attemptedName.isEmpty ? "-" : attemptedName.lowercased()
        let address = String((rawAddress?.isEmpty == false ? rawAddress! : "unknown").prefix(64))
        let now = environment.now()
        let refused = Problem.unauthorized("the username or password is wrong, or the account is disabled")
        @Sendable func denied(_ found: User?, _ detail: String) -> AuditEntry {
            AuditEntry(actor: attemptedName.isEmpty ? "-" : attemptedName, actorID: found?.id, roles: found?.roles.map(\.rawValue) ?? [],
                       action: "auth.login", recordType: "user", recordID: found?.id.uuidString, requestID: requestID, outcome: .denied,
                       detail: detail)
        }
        if let wait = throttle.admit(address, now: now) {
            try await database.transaction { try await AuditLog.append(denied(nil, AuditEntry.detail(["reason": "throttled", "address": address])), on: $0) }
            throw Problem(slug: "login-throttled", title: "Too many login attempts", status: 429,
                          detail: "too many login attempts from this address: wait \(wait) s", retryAfter: wait)
        }
        if let until = try await database.withConnection({
            try await LoginAttemptStore.lockedUntil(username: key, address: address, now: now, on: $0)
        }) {
            try await database.transaction { try await AuditLog.append(denied(nil, AuditEntry.detail(["reason": "locked", "address": address])), on: $0) }
            throw lockedProblem(until: until, now: now)
        }
        let record = try await database.withConnection { try await UserStore.findForLogin(username: attemptedName, lock: false, on: $0) }
        let usable = record.flatMap { $0.user.disabled ? nil : $0 }
        // The same bcrypt work whether or not the user exists.
        let matches = try await hasher.verify(password, hash: usable?.passwordHash ?? hasher.timingHash)
        let outcome = try await database.transaction { connection -> LoginOutcome in
            if let usable, matches {
                try await LoginAttemptStore.succeed(username: key, address: address, on: connection)
                try await UserStore.recordSuccess(id: usable.user.id, on: connection)
                let issued = try await TokenStore.issue(userID: usable.user.id, via: "login", ttl: settings.tokenTTL,
                                                        environment: environment, on: connection)
                try await AuditLog.append(Self.loginEntry(usable.user, requestID, .success,
                                                          AuditEntry.detail(["token_id": issued.id.uuidString.lowercased(), "address": address])),
                                          on: connection)
                return .success(issued, mustChange: usable.user.mustChangePassword)
            }
            let (failures, lockedUntil) = try await LoginAttemptStore.fail(username: key, address: address, now: now, window: settings.lockout,
                                                                           max: settings.maxFailedLogins, lockout: settings.lockout,
                                                                           on: connection)
            let reason = record == nil ? "unknown user" : (record?.user.disabled == true ? "disabled" : "wrong password")
            try await AuditLog.append(denied(record?.user, AuditEntry.detail(["reason": reason, "failures": "\(failures)",
                                                                              "locked": "\(lockedUntil != nil)", "address": address])),
                                      on: connection)
            return .wrongPassword(lockedNow: lockedUntil)
        }
        switch outcome {
        case .success(let issued, let mustChange):
            return LoginResult(token: issued.token, expiresAt: issued.expiresAt, passwordChangeRequired: mustChange)
        case .wrongPassword(lockedNow: .some(let until)):
            throw lockedProblem(until: until, now: now)
        case .wrongPassword(lockedNow: .none):
            throw refused
        }
    }

    private func lockedProblem(until: Date, now: Date) -> Problem {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return Problem(slug: "login-locked", title: "Too many failed logins", status: 429,
                       detail: "too many failed logins for this username from this address: locked until \(Timestamp.format(until))",
                       retryAfter: seconds)
    }

    private static func loginEntry(_ user: User, _ requestID: String?, _ outcome: AuditEntry.Outcome, _ detail: String) -> AuditEntry {
        AuditEntry(actor: user.username, actorID: user.id, roles: user.roles.map(\.rawValue), action: "auth.login",
                   recordType: "user", recordID: user.id.uuidString, requestID: requestID, outcome: outcome, detail: detail)
    }

    private func auditLogin(_ user: User, requestID: String?, outcome: AuditEntry.Outcome, detail: String) async throws {
        try await database.transaction { connection in
            try await AuditLog.append(Self.loginEntry(user, requestID, outcome, detail), on: connection)
        }
    }

    /// A user changes their own password, giving the current one: a temporary password ends
    /// here. Every token of the old password is revoked (the caller's too): log in again.
    public func changeOwnPassword(current: String, new: String, by principal: Principal, requestID: String?) async throws {
        guard let userID = principal.userID else { throw Problem.forbidden("only a user with an account has a password") }
        if let reason = PasswordPolicy.problem(with: new) { throw Problem.invalid("new_password", reason) }
        if current == new { throw Problem.invalid("new_password", "is the current password") }
        guard let record = try await database.withConnection({ try await UserStore.findForLogin(username: principal.username, lock: false, on: $0) }),
              record.user.id == userID, try await hasher.verify(current, hash: record.passwordHash) else {
            throw Problem.invalid("current_password", "is not your current password")
        }
        let hash = try await hasher.hash(new)
        try await database.transaction { connection in
            _ = try await UserStore.update(id: userID, changes: .init(passwordHash: hash, mustChangePassword: false), on: connection)
            let revoked = try await TokenStore.revokeAll(userID: userID, now: environment.now(), on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "user.password_change", recordType: "user",
                                                 recordID: userID.uuidString, requestID: requestID,
                                                 detail: "{\"was_temporary\":\(record.user.mustChangePassword),\"tokens_revoked\":\(revoked)}"),
                                      on: connection)
        }
        tokenCache.invalidateAll()
    }

    /// Revokes the token the principal presented.
    public func logout(_ principal: Principal, requestID: String?) async throws {
        guard let tokenID = principal.tokenID else { return }
        try await database.transaction { connection in
            try await TokenStore.revoke(id: tokenID, now: environment.now(), on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "auth.logout", recordType: "token",
                                                 recordID: tokenID.uuidString, requestID: requestID), on: connection)
        }
        tokenCache.invalidateAll()
    }

    // MARK: - Users

    public struct NewUser: Sendable {
        public var username: Username
        public var password: String
        public var roles: Set<Role>
        public var displayName: String?
        public init(username: Username, password: String, roles: Set<Role>, displayName: String? = nil) {
            self.username = username
            self.password = password
            self.roles = roles
            self.displayName = displayName
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
                                                      passwordHash: hash, roles: new.roles, mustChangePassword: temporary, on: connection)
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
        public var disabled: Bool?
        public var password: String?
        public var unlock: Bool = false
        public init(displayName: String?? = nil, roles: Set<Role>? = nil, disabled: Bool? = nil, password: String? = nil, unlock: Bool = false) {
            self.displayName = displayName
            self.roles = roles
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
    private func recordRead(_ entry: AuditEntry) async throws {
        try await recordReads([entry])
    }

    /// Through the group-commit writer when serving; in one transaction from the CLI, which runs none.
    private func recordReads(_ entries: [AuditEntry]) async throws {
        if let audit {
            try await audit.record(entries)
        } else {
            try await database.transaction { connection in
                for entry in entries { try await AuditLog.append(entry, on: connection) }
            }
        }
    }

    /// Issues a token for a user from the CLI (`ifcd token issue`).
    public func issueToken(username: String, ttl: TimeInterval, by principal: Principal) async throws -> (token: String, expiresAt: Date) {
        guard ttl > 0, ttl <= 90 * 86400 else { throw Problem.invalid("ttl", "must be more than 0 and at most 90 days") }
        return try await database.transaction { connection in
            guard let user = try await UserStore.find(username: username, on: connection) else {
                throw Problem.notFound("no user named \(username)")
            }
            guard !user.disabled else { throw Problem.invalid("username", "user \(user.username) is disabled") }
            let issued = try await TokenStore.issue(userID: user.id, via: "cli", ttl: ttl, environment: environment, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "token.issue", recordType: "user",
                                                 recordID: user.id.uuidString, requestID: nil,
                                                 detail: "{\"token_id\":\"\(issued.id.uuidString.lowercased())\",\"ttl_seconds\":\(Int(ttl))}"),
                                      on: connection)
            return (issued.token, issued.expiresAt)
        }
    }
}

// MARK: - Tokens an administrator manages

extension Accounts {
    /// A user's tokens (never their values), newest first.
    public func tokens(userID: UUID, by principal: Principal, requestID: String?) async throws -> [TokenInfo] {
        let (exists, tokens) = try await database.withConnection { connection in
            (try await UserStore.find(id: userID, on: connection) != nil, try await TokenStore.list(userID: userID, on: connection))
        }
        guard exists else { throw Problem.notFound("no user \(userID)") }
        try await recordRead(AuditEntry(principal: principal, action: "token.list", recordType: "user", recordID: userID.uuidString,
                                        requestID: requestID, detail: AuditEntry.detail(["tokens": "\(tokens.count)"])))
        return tokens
    }

    /// Revokes one token (a lost laptop, a leaked script); revoking it again changes nothing (409).
    public func revokeToken(id: UUID, by principal: Principal, requestID: String?) async throws -> TokenInfo {
        defer { tokenCache.invalidateAll() }
        return try await database.transaction { connection in
            guard let token = try await TokenStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no token \(id.uuidString.lowercased())")
            }
            if token.revokedAt != nil { throw Problem.conflict("token \(id.uuidString.lowercased()) is revoked already", slug: "revoked") }
            try await TokenStore.revoke(id: id, now: environment.now(), on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "token.revoke", recordType: "user",
                                                 recordID: token.userID.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["token_id": id.uuidString.lowercased()])), on: connection)
            guard let revoked = try await TokenStore.find(id: id, forUpdate: false, on: connection) else { throw Problem.internal(requestID: requestID) }
            return revoked
        }
    }
}

extension Accounts: UserDirectory {
    public func isActiveUser(_ username: String) async throws -> Bool {
        guard let user = try await database.withConnection({ try await UserStore.find(username: username, on: $0) }) else { return false }
        return !user.disabled
    }
}
