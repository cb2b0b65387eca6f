@testable import Accounts
import Foundation
import HTTPTypes
import IFCCore
import PostgresNIO
import Synchronization
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

    /// A change as another process would commit it: the app role, outside this process's services.
    static func asApp(_ app: TestApp, _ sql: String) async throws {
        try await app.database.asApp { _ = try await $0.query(PostgresQuery(unsafeSQL: sql), logger: TestCluster.logger) }
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
            try await Self.asApp(app, "UPDATE users SET roles = '{clerk}' WHERE username = 'dave'")
            #expect(await Self.eventually { app.parts.accounts.tokenCache.count == 0 })
            let me = try await app.request(.get, "/v1/me", token: token)
            #expect(try me.object["roles"] as? [String] == ["clerk"])
            try await Self.asApp(app, "UPDATE auth_tokens SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = 'dave')")
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
            try await Self.asApp(app, "UPDATE auth_tokens SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = 'erin')")
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

    // MARK: - The cache's own rules, without a database

    static let someone = Principal(userID: UUID(), username: "frank", roles: [.analyst], tokenID: UUID())
    static let later = Date().addingTimeInterval(3600)

    @Test("an entry serves for at most its time to live, counted from the start of its lookup, even with no notification")
    func entryLivesAtMostItsTTL() throws {
        let start = ContinuousClock.now
        let elapsed = Mutex<Duration>(.zero)
        let cache = TokenCache(ttl: .milliseconds(100), now: { start + elapsed.withLock { $0 } })
        cache.setListening(true)
        let hash = TokenStore.hash("ifcd_a")
        let begun = try #require(cache.begin())
        // The lookup took 60 ms: the entry has 40 ms left, not 100.
        elapsed.withLock { $0 = .milliseconds(60) }
        cache.store(Self.someone, tokenExpiresAt: Self.later, for: hash, begun: begun)
        #expect(cache.principal(for: hash, now: Date()) == Self.someone)
        elapsed.withLock { $0 = .milliseconds(99) }
        #expect(cache.principal(for: hash, now: Date()) == Self.someone)
        elapsed.withLock { $0 = .milliseconds(100) }
        #expect(cache.principal(for: hash, now: Date()) == nil)
        #expect(cache.count == 0)
        #expect(TokenCache(ttl: .seconds(30)).ttl == TokenCache.maximumTTL)
    }

    @Test("nothing is cached while not listening, nor a lookup that a notification or a loss overlapped, nor past the token's expiry")
    func whatIsNeverCached() throws {
        let cache = TokenCache(ttl: .seconds(1))
        let hash = TokenStore.hash("ifcd_b")
        #expect(cache.begin() == nil)
        cache.setListening(true)
        var begun = try #require(cache.begin())
        cache.invalidateAll()
        cache.store(Self.someone, tokenExpiresAt: Self.later, for: hash, begun: begun)
        #expect(cache.count == 0)
        begun = try #require(cache.begin())
        cache.setListening(false)
        cache.setListening(true)
        cache.store(Self.someone, tokenExpiresAt: Self.later, for: hash, begun: begun)
        #expect(cache.count == 0)
        begun = try #require(cache.begin())
        cache.store(Self.someone, tokenExpiresAt: Date().addingTimeInterval(-1), for: hash, begun: begun)
        #expect(cache.count == 1)
        #expect(cache.principal(for: hash, now: Date()) == nil)
        // Cached and then the listener lost: dropped at once.
        begun = try #require(cache.begin())
        cache.store(Self.someone, tokenExpiresAt: Self.later, for: hash, begun: begun)
        #expect(cache.principal(for: hash, now: Date()) == Self.someone)
        cache.setListening(false)
        #expect(cache.count == 0)
        #expect(cache.principal(for: hash, now: Date()) == nil)
        #expect(TokenCache(ttl: .zero).begin() == nil)
    }
}
