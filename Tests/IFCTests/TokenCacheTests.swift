import Foundation
import HTTPTypes
import IFCCore
import PostgresNIO
import Testing

/// The token cache (issue 15): hot paths skip the token lookup, yet a revoked token is refused on
/// the next request when the change is this process's, at the notification when it is another's,
/// and within a second in every case, the notification connection cut included.
@Suite("Token cache and revocation")
struct TokenCacheTests {
    static let bound = Duration.seconds(1)

    /// Waits (bounded) until `condition` holds; false when the deadline passed first.
    static func eventually(within limit: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            await Task.yield()
        }
        return try await condition()
    }

    static func withCachingApp(_ body: @Sendable (TestApp) async throws -> Void) async throws {
        try await withTestApp(configure: { $0.tokenCacheMilliseconds = 1000 }) { app in
            #expect(await eventually { app.parts.accounts.tokenCache.isListening }, "the listener never started")
            try await body(app)
        }
    }

    @Test("a cached token is refused on the next request after logout, and after an administrator revokes it")
    func revokedThroughTheAPIIsRefusedAtOnce() async throws {
        try await Self.withCachingApp { app in
            let token = try await app.token(roles: [.analyst])
            #expect(try await app.request(.get, "/v1/me", token: token).status == .ok)
            #expect(app.parts.accounts.tokenCache.count == 1)
            #expect(try await app.request(.get, "/v1/me", token: token).status == .ok)
            #expect(try await app.request(.delete, "/v1/auth/token", token: token).status == .noContent)
            #expect(try await app.request(.get, "/v1/me", token: token).status == .unauthorized)

            let admin = try await app.token(roles: [.admin])
            let other = try await app.token(roles: [.clerk], username: "carol")
            #expect(try await app.request(.get, "/v1/me", token: other).status == .ok)
            let tokenID = try #require(try await app.database.asOwner { connection in
                try await connection.scalar("""
                    SELECT t.id FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'carol'
                    """, as: UUID.self)
            })
            #expect(try await app.request(.delete, "/v1/tokens/\(tokenID.uuidString.lowercased())", token: admin).status == .ok)
            #expect(try await app.request(.get, "/v1/me", token: other).status == .unauthorized)
        }
    }

    @Test("a revocation or role change committed by another process (the CLI, another node) drops the cache by notification")
    func changeElsewhereIsNotified() async throws {
        try await Self.withCachingApp { app in
            let token = try await app.token(roles: [.analyst], username: "dave")
            #expect(try await app.request(.get, "/v1/me", token: token).status == .ok)
            #expect(app.parts.accounts.tokenCache.count == 1)
            // Entries are dropped only by a notification (or when read past their second): the
            // count falls to zero only if the change was heard.
            try await app.database.asApp { try await $0.query("UPDATE users SET roles = '{clerk}' WHERE username = 'dave'", logger: TestCluster.logger) }
            #expect(await Self.eventually { app.parts.accounts.tokenCache.count == 0 })
            let me = try await app.request(.get, "/v1/me", token: token)
            #expect(try me.object["roles"] as? [String] == ["clerk"])
            try await app.database.asApp {
                try await $0.query("UPDATE auth_tokens SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = 'dave')",
                                   logger: TestCluster.logger)
            }
            #expect(await Self.eventually { app.parts.accounts.tokenCache.count == 0 })
            #expect(try await app.request(.get, "/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test("with the notification connection cut, a token revoked elsewhere is refused within a second; the listener comes back")
    func listenerCutStillRevokesWithinASecond() async throws {
        try await Self.withCachingApp { app in
            let token = try await app.token(roles: [.analyst], username: "erin")
            #expect(try await app.request(.get, "/v1/me", token: token).status == .ok)
            #expect(app.parts.accounts.tokenCache.count == 1)
            let database = app.database.name
            // The superuser may end any backend (the owner holds no membership of the app role).
            let cut = try await app.database.superuserSettings.withConnection(logger: TestCluster.logger) { connection in
                try await connection.scalar("""
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = \(database) AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()
                    """, as: Int.self)
            }
            #expect(cut == 1)
            let revoking = ContinuousClock.now
            try await app.database.asApp {
                try await $0.query("UPDATE auth_tokens SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = 'erin')",
                                   logger: TestCluster.logger)
            }
            // Poll: a request may still pass until the bound, never one that starts after it.
            var refusedAfterBound = 0, acceptedAfterBound = 0
            while ContinuousClock.now < revoking + Self.bound + .milliseconds(500) {
                let started = ContinuousClock.now
                let status = try await app.request(.get, "/v1/me", token: token).status
                if started >= revoking + Self.bound {
                    if status == .unauthorized { refusedAfterBound += 1 } else { acceptedAfterBound += 1 }
                }
            }
            #expect(try await app.request(.get, "/v1/me", token: token).status == .unauthorized)
            #expect(acceptedAfterBound == 0)
            // The listener reconnects, and caching resumes.
            #expect(await Self.eventually { app.parts.accounts.tokenCache.isListening })
            let fresh = try await app.token(roles: [.analyst])
            #expect(try await app.request(.get, "/v1/me", token: fresh).status == .ok)
            #expect(app.parts.accounts.tokenCache.count == 1)
        }
    }
}
