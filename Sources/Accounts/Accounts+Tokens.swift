import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// Tokens: issued from the CLI, listed and revoked by an administrator.
extension Accounts {
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
