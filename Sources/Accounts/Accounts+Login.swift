import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// Login, logout and a user's own password: the rules, apart from HTTP so that the CLI uses them too.
extension Accounts {

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
}
