import Foundation
import IFCCore
import IFCStore
import Logging
import PostgresNIO

/// The users table. Every function runs on a connection the caller chose, so that a change and
/// its audit entry share one transaction.
enum UserStore {
    /// `locked_until`: the latest lock of the name from any address (failed logins are counted per
    /// name and client address, in login_attempts).
    static let columns = """
        id, username, display_name, roles, disabled,
        (SELECT max(a.locked_until) FROM login_attempts a WHERE a.username = lower(users.username) AND a.locked_until > clock_timestamp()),
        version, created_at, updated_at, must_change_password, clearance
        """
    static let logger = Logger(label: "ifcd.accounts.sql", factory: { _ in SwiftLogNoOpLogHandler() })

    static func decode(_ row: PostgresRow) throws -> User {
        let c = row.makeRandomAccess()
        let roleNames = try c[3].decode([String].self)
        return User(id: try c[0].decode(UUID.self), username: try c[1].decode(String.self),
                    displayName: try c[2].decode(String?.self), roles: roleNames.compactMap(Role.init(rawValue:)).sorted(),
                    disabled: try c[4].decode(Bool.self), lockedUntil: try c[5].decode(Date?.self),
                    version: try c[6].decode(Int.self), createdAt: try c[7].decode(Date.self), updatedAt: try c[8].decode(Date.self),
                    mustChangePassword: try c[9].decode(Bool.self),
                    clearance: Clearance(rawValue: try c[10].decode(String.self)) ?? .standard)
    }

    static func insert(id: UUID, username: Username, displayName: String?, passwordHash: String, roles: Set<Role>,
                       clearance: Clearance = .standard, mustChangePassword: Bool = false,
                       on connection: PostgresConnection) async throws -> User {
        let roleNames = roles.sorted().map(\.rawValue)
        let rows = try await connection.query("""
            INSERT INTO users (id, username, display_name, password_hash, roles, clearance, must_change_password)
            VALUES (\(id), \(username.value), \(displayName), \(passwordHash), \(roleNames), \(clearance.rawValue), \(mustChangePassword))
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> User? {
        let rows = forUpdate
            ? try await connection.query("SELECT \(unescaped: columns) FROM users WHERE id = \(id) FOR UPDATE", logger: logger)
            : try await connection.query("SELECT \(unescaped: columns) FROM users WHERE id = \(id)", logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func find(username: String, on connection: PostgresConnection) async throws -> User? {
        let rows = try await connection.query("SELECT \(unescaped: columns) FROM users WHERE lower(username) = lower(\(username))", logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    struct LoginRecord {
        var user: User
        var passwordHash: String
        var failedLogins: Int
    }

    /// With `lock`, the row stays locked to the transaction: concurrent failures count one by one.
    static func findForLogin(username: String, lock: Bool, on connection: PostgresConnection) async throws -> LoginRecord? {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns), password_hash, failed_logins FROM users
            WHERE lower(username) = lower(\(username)) \(unescaped: lock ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            return LoginRecord(user: try decode(row), passwordHash: try c[11].decode(String.self), failedLogins: try c[12].decode(Int.self))
        }
        return nil
    }

    static func recordSuccess(id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = \(id) AND (failed_logins <> 0 OR locked_until IS NOT NULL)
            """, logger: logger)
    }

    struct Changes {
        var displayName: String??
        var roles: Set<Role>?
        var clearance: Clearance?
        var disabled: Bool?
        var passwordHash: String?
        var unlock = false
        /// Set with a new password: true for a reset by an administrator, false for the user's own.
        var mustChangePassword: Bool?
    }

    static func update(id: UUID, changes: Changes, on connection: PostgresConnection) async throws -> User {
        let setName = changes.displayName != nil
        let name: String? = changes.displayName ?? nil
        let roles = changes.roles.map { $0.sorted().map(\.rawValue) }
        let rows = try await connection.query("""
            UPDATE users SET
                display_name = CASE WHEN \(setName) THEN \(name) ELSE display_name END,
                roles = coalesce(\(roles)::text[], roles),
                clearance = coalesce(\(changes.clearance?.rawValue)::text, clearance),
                disabled = coalesce(\(changes.disabled), disabled),
                password_hash = coalesce(\(changes.passwordHash), password_hash),
                must_change_password = coalesce(\(changes.mustChangePassword), must_change_password),
                failed_logins = CASE WHEN \(changes.unlock) THEN 0 ELSE failed_logins END,
                locked_until = CASE WHEN \(changes.unlock) THEN NULL ELSE locked_until END,
                version = version + 1,
                updated_at = clock_timestamp()
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no user \(id)")
    }

    /// Keyset page ordered by lower(username), then id.
    static func list(page: PageRequest, role: Role?, disabled: Bool?, on connection: PostgresConnection) async throws -> Page<User> {
        let afterName = page.after?[0]
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM users
            WHERE (\(afterName)::text IS NULL OR (lower(username), id) > (\(afterName), \(afterID)))
              AND (\(role?.rawValue)::text IS NULL OR \(role?.rawValue) = ANY(roles))
              AND (\(disabled)::bool IS NULL OR disabled = \(disabled))
            ORDER BY lower(username), id
            LIMIT \(page.limit + 1)
            """, logger: logger)
        var users: [User] = []
        for try await row in rows { users.append(try decode(row)) }
        return Page(fetched: users, limit: page.limit, key: { [$0.username.lowercased(), $0.id.uuidString] })
    }
}
