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
            SELECT t.id, u.id, u.username, u.roles FROM auth_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND NOT u.disabled
            """
        typealias Row = (UUID, UUID, String, [String])
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

    static func principal(token: String, now: Date, database: Database) async throws -> Principal? {
        guard token.hasPrefix(prefix), token.utf8.count == prefix.utf8.count + 43 else { return nil }
        let lookup = Lookup(hash: hash(token), now: now)
        return try await database.withConnection { connection in
            var found: Principal?
            for try await (tokenID, userID, username, roles) in try await connection.execute(lookup, logger: UserStore.logger) where found == nil {
                found = Principal(userID: userID, username: username, roles: Set(roles.compactMap(Role.init(rawValue:))), tokenID: tokenID)
            }
            return found
        }
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
