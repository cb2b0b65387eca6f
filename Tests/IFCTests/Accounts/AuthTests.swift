import Foundation
import HTTPTypes
import IFCCore
import PostgresNIO
import Testing

@Suite("Authentication and roles")
struct AuthTests {
    @Test("no token or a bad token is 401 problem+json with a Bearer challenge")
    func unauthenticated() async throws {
        try await withTestApp { app in
            for token in [nil, "ifcd_not-a-real-token", "garbage"] as [String?] {
                let response = try await app.request(.get, "/v1/me", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.isProblem)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(try response.object["type"] as? String == "urn:ifcd:problem:unauthorized")
            }
        }
    }

    @Test("a role that does not hold the route is 403 problem+json")
    func wrongRole() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let auditor = try await app.token(roles: [.auditor])
            let admin = try await app.token(roles: [.admin])
            let users = try await app.request(.get, "/v1/users", token: clerk)
            #expect(users.status == .forbidden)
            #expect(users.isProblem)
            #expect(try users.object["type"] as? String == "urn:ifcd:problem:forbidden")
            // admin manages users and tokens only: not the audit trail; the auditor only that.
            #expect(try await app.request(.get, "/v1/audit", token: admin).status == .forbidden)
            #expect(try await app.request(.get, "/v1/audit", token: auditor).status == .ok)
            #expect(try await app.request(.get, "/v1/users", token: auditor).status == .forbidden)
            #expect(try await app.request(.get, "/v1/users", token: admin).status == .ok)
        }
    }

    @Test("login returns a token and expiry; /v1/me names the caller and roles")
    func loginAndMe() async throws {
        try await withTestApp { app in
            try await app.token(roles: [.analyst, .liaison], username: "alice")
            let login = try await app.request(.post, "/v1/auth/token", json: #"{"username":"alice","password":"correct horse battery staple"}"#)
            #expect(login.status == .ok)
            let body = try login.object
            let token = try #require(body["token"] as? String)
            #expect(token.hasPrefix("ifcd_"))
            let expires = try #require((body["expires_at"] as? String).flatMap { try? Date($0, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) })
            #expect(abs(expires.timeIntervalSince(app.clock.now) - 8 * 3600) < 60)
            let me = try await app.request(.get, "/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(try me.object["username"] as? String == "alice")
            #expect(try me.object["roles"] as? [String] == ["analyst", "liaison"])
            // Only the SHA-256 of the token is stored.
            let hashed = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM auth_tokens WHERE token_hash = sha256(convert_to(\(token), 'UTF8'))", as: Int.self) }
            #expect(hashed == 1)
        }
    }

    @Test("wrong password is 401; the fifth failure locks the account for 15 minutes (429); all attempts audited")
    func lockout() async throws {
        try await withTestApp { app in
            try await app.token(roles: [.clerk], username: "bob")
            let wrong = #"{"username":"bob","password":"not the password"}"#
            let right = #"{"username":"bob","password":"correct horse battery staple"}"#
            for _ in 0..<4 {
                let response = try await app.request(.post, "/v1/auth/token", json: wrong)
                #expect(response.status == .unauthorized)
                #expect(response.isProblem)
            }
            let fifth = try await app.request(.post, "/v1/auth/token", json: wrong)
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.headers[.retryAfter] == "900")
            let locked = try await app.request(.post, "/v1/auth/token", json: right)
            #expect(locked.status == .tooManyRequests)
            #expect(try locked.object["type"] as? String == "urn:ifcd:problem:login-locked")
            app.clock.advance(by: 14 * 60)
            #expect(try await app.request(.post, "/v1/auth/token", json: right).status == .tooManyRequests)
            app.clock.advance(by: 61)
            #expect(try await app.request(.post, "/v1/auth/token", json: right).status == .ok)
            let (failed, succeeded) = try await app.database.asOwner { connection in
                (try await connection.scalar("SELECT count(*) FROM audit_entries WHERE action = 'auth.login' AND outcome = 'denied'", as: Int.self),
                 try await connection.scalar("SELECT count(*) FROM audit_entries WHERE action = 'auth.login' AND outcome = 'success'", as: Int.self))
            }
            #expect(failed == 7)
            #expect(succeeded == 1)
        }
    }

    @Test("an unknown username is 401 like a wrong password, and audited")
    func unknownUser() async throws {
        try await withTestApp { app in
            let response = try await app.request(.post, "/v1/auth/token", json: #"{"username":"nobody","password":"whatever it is"}"#)
            #expect(response.status == .unauthorized)
            let entries = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries WHERE action = 'auth.login' AND actor = 'nobody'", as: Int.self) }
            #expect(entries == 1)
        }
    }

    @Test("a token stops working when it expires")
    func expiry() async throws {
        try await withTestApp { app in
            let token = try await app.token(roles: [.analyst])
            #expect(try await app.request(.get, "/v1/me", token: token).status == .ok)
            app.clock.advance(by: 8 * 3600 - 60)
            #expect(try await app.request(.get, "/v1/me", token: token).status == .ok)
            app.clock.advance(by: 120)
            #expect(try await app.request(.get, "/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test("DELETE /v1/auth/token revokes the token presented, and only that one")
    func revocation() async throws {
        try await withTestApp { app in
            try await app.token(roles: [.analyst], username: "carol")
            let login = #"{"username":"carol","password":"correct horse battery staple"}"#
            let first = try #require(try await app.request(.post, "/v1/auth/token", json: login).object["token"] as? String)
            let second = try #require(try await app.request(.post, "/v1/auth/token", json: login).object["token"] as? String)
            #expect(try await app.request(.delete, "/v1/auth/token", token: first).status == .noContent)
            #expect(try await app.request(.get, "/v1/me", token: first).status == .unauthorized)
            #expect(try await app.request(.get, "/v1/me", token: second).status == .ok)
        }
    }

    @Test("a disabled user's tokens stop working at once")
    func disabledUser() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let token = try await app.token(roles: [.clerk], username: "dave")
            let list = try await app.request(.get, "/v1/users?role=clerk", token: admin)
            let items = try #require(try list.object["items"] as? [[String: Any]])
            let id = try #require(items.first?["id"] as? String)
            let current = try await app.request(.get, "/v1/users/\(id)", token: admin)
            let etag = try #require(current.headers[.eTag])
            let patch = try await app.request(.patch, "/v1/users/\(id)", token: admin, json: #"{"disabled":true}"#, headers: [.ifMatch: etag])
            #expect(patch.status == .ok)
            #expect(try await app.request(.get, "/v1/me", token: token).status == .unauthorized)
            #expect(try await app.request(.post, "/v1/auth/token", json: #"{"username":"dave","password":"correct horse battery staple"}"#).status == .unauthorized)
        }
    }

    @Test("passwords are stored as bcrypt hashes")
    func passwordHashing() async throws {
        try await withTestApp { app in
            try await app.token(roles: [.clerk], username: "erin")
            let hash = try await app.database.asOwner { try await $0.scalar("SELECT password_hash FROM users WHERE username = 'erin'", as: String.self) }
            #expect(hash?.hasPrefix("$2b$") == true || hash?.hasPrefix("$2a$") == true || hash?.hasPrefix("$2y$") == true)
            #expect(hash?.contains("correct horse") == false)
        }
    }

    @Test("a password change revokes the user's tokens")
    func passwordChangeRevokes() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let token = try await app.token(roles: [.analyst], username: "olga")
            let list = try await app.request(.get, "/v1/users?role=analyst", token: admin)
            let id = try #require((try list.object["items"] as? [[String: Any]])?.first?["id"] as? String)
            let changed = try await app.request(.patch, "/v1/users/\(id)", token: admin, json: #"{"password":"another long passphrase"}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(changed.status == .ok)
            #expect(try await app.request(.get, "/v1/me", token: token).status == .unauthorized)
            #expect(try await app.request(.post, "/v1/auth/token", json: #"{"username":"olga","password":"another long passphrase"}"#).status == .ok)
        }
    }
}
