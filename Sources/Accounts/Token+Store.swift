import Crypto
import Foundation
import IFCCore
import IFCStore
import Logging
import PostgresNIO

/// Bearer tokens: 32 random bytes shown once to the client, stored only as their SHA-256.
enum TokenStore {
    static let prefix = "ifcd_"

    struct Issued: Sendable {
        var id: UUID
        var token: String
        var expiresAt: Date
    }

    static func hash(_ token: String) -> ByteBuffer {
        ByteBuffer(bytes: Array(SHA256.hash(data: Data(token.utf8))))
    }

    static func issue(userID: UUID, via: String, ttl: TimeInterval, environment: AppEnvironment,
                      on connection: PostgresConnection) async throws -> Issued {
        let bytes = environment.randomBytes(32)
        let token = prefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = UUID()
        let now = environment.now()
        let expiresAt = now.addingTimeInterval(ttl)
        try await connection.query("""
            INSERT INTO auth_tokens (id, user_id, token_hash, issued_via, issued_at, expires_at)
            VALUES (\(id), \(userID), \(hash(token)), \(via), \(now), \(expiresAt))
            """, logger: UserStore.logger)
        return Issued(id: id, token: token, expiresAt: expiresAt)
    }

    /// The hot query of every authenticated request, prepared once per connection.
    struct Lookup: PostgresPreparedStatement {
        static let sql = """
            SELECT t.id, u.id, u.username, u.roles, u.must_change_password, t.expires_at, u.clearance FROM auth_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND NOT u.disabled
            """
        typealias Row = (UUID, UUID, String, [String], Bool, Date, String)
        var hash: ByteBuffer
        var now: Date

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(hash)
            bindings.append(now)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The token's principal: from `cache` while it is fresh (see `TokenCache`), else from the database.
    static func principal(token: String, now: Date, database: Database, cache: TokenCache? = nil) async throws -> Principal? {
        guard token.hasPrefix(prefix), token.utf8.count == prefix.utf8.count + 43 else { return nil }
        let hash = hash(token)
        if let cache, let cached = cache.principal(for: hash, now: now) { return cached }
        let begun = cache?.begin()
        let lookup = Lookup(hash: hash, now: now)
        let found = try await database.withConnection { connection -> (Principal, Date)? in
            var found: (Principal, Date)?
            for try await (tokenID, userID, username, roles, mustChange, expiresAt, clearance) in try await connection.execute(lookup, logger: UserStore.logger)
            where found == nil {
                // With a temporary password the token holds no role: it can only change it.
                found = (Principal(userID: userID, username: username,
                                   roles: mustChange ? [] : Set(roles.compactMap(Role.init(rawValue:))), tokenID: tokenID,
                                   clearance: Clearance(rawValue: clearance) ?? .standard), expiresAt)
            }
            return found
        }
        guard let (principal, expiresAt) = found else { return nil }
        if let cache, let begun { cache.store(principal, tokenExpiresAt: expiresAt, for: hash, begun: begun) }
        return principal
    }

    /// Every live token of a user (after a password change); returns how many.
    static func revokeAll(userID: UUID, now: Date, on connection: PostgresConnection) async throws -> Int {
        var count = 0
        let rows = try await connection.query("""
            UPDATE auth_tokens SET revoked_at = \(now) WHERE user_id = \(userID) AND revoked_at IS NULL RETURNING id
            """, logger: UserStore.logger)
        for try await _ in rows { count += 1 }
        return count
    }

    static func revoke(id: UUID, now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE auth_tokens SET revoked_at = \(now) WHERE id = \(id) AND revoked_at IS NULL
            """, logger: UserStore.logger)
    }
}

/// A token as an administrator sees it: never its value, only when and how it was issued and
/// whether it still works.
public struct TokenInfo: Sendable, Encodable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var issuedVia: String
    public var issuedAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id
        case userID = "user_id", issuedVia = "issued_via", issuedAt = "issued_at", expiresAt = "expires_at", revokedAt = "revoked_at"
    }
}

extension TokenStore {
    static let infoColumns = "id, user_id, issued_via, issued_at, expires_at, revoked_at"

    static func decodeInfo(_ row: PostgresRow) throws -> TokenInfo {
        let (id, userID, via, issuedAt, expiresAt, revokedAt) = try row.decode((UUID, UUID, String, Date, Date, Date?).self)
        return TokenInfo(id: id, userID: userID, issuedVia: via, issuedAt: issuedAt, expiresAt: expiresAt, revokedAt: revokedAt)
    }

    /// A user's tokens, newest first (at most 500: tokens live hours, not years).
    static func list(userID: UUID, on connection: PostgresConnection) async throws -> [TokenInfo] {
        let rows = try await connection.query("""
            SELECT \(unescaped: infoColumns) FROM auth_tokens WHERE user_id = \(userID) ORDER BY issued_at DESC, id LIMIT 500
            """, logger: UserStore.logger)
        var tokens: [TokenInfo] = []
        for try await row in rows { tokens.append(try decodeInfo(row)) }
        return tokens
    }

    static func find(id: UUID, forUpdate: Bool, on connection: PostgresConnection) async throws -> TokenInfo? {
        let rows = try await connection.query("""
            SELECT \(unescaped: infoColumns) FROM auth_tokens WHERE id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: UserStore.logger)
        for try await row in rows { return try decodeInfo(row) }
        return nil
    }
}
