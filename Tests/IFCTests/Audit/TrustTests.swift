import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCHTTP
import PostgresNIO
import Testing
@testable import IFCServer
@testable import IFCStore

/// Separation of duties, temporary passwords, token management, and audit entries whose time
/// and position the server sets (issue: trust).
@Suite("Trust: duties, resets, tokens, entry stamps")
struct TrustTests {
    static func userID(_ app: TestApp, admin: String, _ username: String) async throws -> String {
        let list = try await app.request(.get, "/v1/users?limit=500", token: admin)
        let items = (try list.object["items"] as? [[String: Any]]) ?? []
        return try #require(items.first { $0["username"] as? String == username }?["id"] as? String)
    }

    @Test("no user holds admin with auditor or a record role (API and table); an administrator cannot change their own roles")
    func separationOfDuties() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin], username: "ada")
            for other in ["auditor", "clerk", "analyst", "examiner", "liaison"] {
                let refused = try await app.request(.post, "/v1/users", token: admin,
                                                    json: #"{"username":"mixed\#(other)","password":"correct horse battery staple","roles":["admin","\#(other)"]}"#)
                #expect(refused.status == .unprocessableContent, "\(other)")
                #expect(try refused.problemFields == ["roles"])
            }
            let created = try await app.request(.post, "/v1/users", token: admin,
                                                json: #"{"username":"bob","password":"correct horse battery staple","roles":["clerk"]}"#)
            let bob = try #require(try created.object["id"] as? String)
            let widened = try await app.request(.patch, "/v1/users/\(bob)", token: admin, json: #"{"roles":["clerk","admin"]}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(try widened.problemFields == ["roles"])
            let own = try await Self.userID(app, admin: admin, "ada")
            let self1 = try await app.request(.patch, "/v1/users/\(own)", token: admin, json: #"{"roles":["admin"]}"#, headers: [.ifMatch: "\"1\""])
            #expect(self1.status == .unprocessableContent)
            #expect(try self1.problemFields == ["roles"])
            // The table refuses it whatever the code above does.
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE users SET roles = ARRAY['admin','auditor'] WHERE username = 'bob'", logger: TestCluster.logger)
                }
            }
            #expect(try await app.count("SELECT count(*) FROM users WHERE 'admin' = ANY (roles) AND cardinality(roles) > 1") == 0)
        }
    }

    @Test("a password an administrator sets is temporary: audited as a reset, the user reaches no record until they change it, then logs in again")
    func temporaryPasswords() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            _ = try await app.token(roles: [.analyst], username: "olga")
            let id = try await Self.userID(app, admin: admin, "olga")
            let reset = try await app.request(.patch, "/v1/users/\(id)", token: admin, json: #"{"password":"a temporary passphrase"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(reset.status == .ok)
            #expect(try reset.object["must_change_password"] as? Bool == true)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'user.password_reset' AND record_id = \(id)") == 1)
            let login = try await app.request(.post, "/v1/auth/token", json: #"{"username":"olga","password":"a temporary passphrase"}"#)
            #expect(login.status == .ok)
            #expect(try login.object["password_change_required"] as? Bool == true)
            let temporary = try #require(try login.object["token"] as? String)
            #expect(try await app.request(.get, "/v1/firearms?limit=1", token: temporary).status == .forbidden)
            #expect(try (try await app.request(.get, "/v1/me", token: temporary).object["roles"] as? [String]) == [])
            let wrong = try await app.request(.post, "/v1/me/password", token: temporary,
                                              json: #"{"current_password":"not the one","new_password":"my own long passphrase"}"#)
            #expect(try wrong.problemFields == ["current_password"])
            let changed = try await app.request(.post, "/v1/me/password", token: temporary,
                                                json: #"{"current_password":"a temporary passphrase","new_password":"my own long passphrase"}"#)
            #expect(changed.status == .noContent)
            #expect(try await app.request(.get, "/v1/me", token: temporary).status == .unauthorized)
            let again = try await app.request(.post, "/v1/auth/token", json: #"{"username":"olga","password":"my own long passphrase"}"#)
            #expect(try again.object["password_change_required"] as? Bool == false)
            let token = try #require(try again.object["token"] as? String)
            #expect(try await app.request(.get, "/v1/firearms?limit=1", token: token).status == .ok)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'user.password_change' AND detail->>'was_temporary' = 'true'") == 1)
        }
    }

    @Test("administrators list a user's tokens (never their values) and revoke any one; display_name can be cleared with null")
    func tokensAndNulls() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let first = try await app.token(roles: [.clerk], username: "carl")
            let id = try await Self.userID(app, admin: admin, "carl")
            let second = try #require(try await app.request(.post, "/v1/auth/token", json: #"{"username":"carl","password":"correct horse battery staple"}"#)
                .object["token"] as? String)
            let listed = try await app.request(.get, "/v1/users/\(id)/tokens", token: admin)
            #expect(listed.status == .ok)
            let tokens = try #require(try JSONSerialization.jsonObject(with: Data(buffer: listed.body)) as? [[String: Any]])
            #expect(tokens.count == 2)
            #expect(!listed.text.contains(first) && !listed.text.contains(second))
            let loginToken = try #require(tokens.first { $0["issued_via"] as? String == "login" }?["id"] as? String)
            let revoked = try await app.request(.delete, "/v1/tokens/\(loginToken)", token: admin)
            #expect(revoked.status == .ok)
            #expect(try revoked.object["revoked_at"] as? String != nil)
            #expect(try await app.request(.get, "/v1/me", token: second).status == .unauthorized)
            #expect(try await app.request(.get, "/v1/me", token: first).status == .ok)
            #expect(try await app.request(.delete, "/v1/tokens/\(loginToken)", token: admin).status == .conflict)
            #expect(try await app.request(.get, "/v1/users/\(id)/tokens", token: first).status == .forbidden)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'token.revoke' AND detail->>'token_id' = \(loginToken)") == 1)

            let named = try await app.request(.patch, "/v1/users/\(id)", token: admin, json: #"{"display_name":"Carl Reid"}"#, headers: [.ifMatch: "\"1\""])
            #expect(try named.object["display_name"] as? String == "Carl Reid")
            let cleared = try await app.request(.patch, "/v1/users/\(id)", token: admin, json: #"{"display_name":null}"#, headers: [.ifMatch: "\"2\""])
            #expect(cleared.status == .ok)
            #expect(try cleared.object["display_name"] is NSNull)
        }
    }

    @Test("an audit entry's time is the server's and its position the sequence's, whatever the insert says (app and owner roles)")
    func entryStamps() async throws {
        try await withTestApp { app in
            let backdated = try await app.database.asApp { connection -> Date in
                let rows = try await connection.query("""
                    INSERT INTO audit_entries (at, actor, roles, action, outcome) VALUES ('2001-01-01T00:00:00Z', 'mallory', '{}', 'firearm.read', 'success')
                    RETURNING at
                    """, logger: TestCluster.logger)
                for try await at in rows.decode(Date.self) { return at }
                return .distantPast
            }
            #expect(backdated.timeIntervalSinceNow > -600)
            for asOwner in [false, true] {
                await #expect(throws: (any Error).self) {
                    let insert: PostgresQuery = """
                        INSERT INTO audit_entries (seq, actor, roles, action, outcome) OVERRIDING SYSTEM VALUE
                        VALUES (1, 'mallory', '{}', 'firearm.read', 'success')
                        """
                    if asOwner {
                        try await app.database.asOwner { _ = try await $0.query(insert, logger: TestCluster.logger) }
                    } else {
                        try await app.database.asApp { _ = try await $0.query(insert, logger: TestCluster.logger) }
                    }
                }
            }
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE at < '2020-01-01'") == 0)
        }
    }
}

@Suite("Trust: abuse limits")
struct AbuseLimitTests {
    @Test("the HTTP import refuses a file over its byte or row cap whole (413), before any row is written; under the caps it imports")
    func importCaps() async throws {
        try await withTestApp(configure: { $0.importMaxBytes = 2048; $0.importMaxRows = 3 }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let header = "make,model,type,calibre,serial,country_of_manufacture,year_of_manufacture,notes\n"
            let rows = (1...4).map { "Glock,17,pistol,9x19mm,CAP\($0)X,AT,2015,\n" }.joined()
            let tooMany = try await ImportTests.post(app, clerk, header + rows)
            #expect(tooMany.status == .contentTooLarge)
            #expect(tooMany.isProblem)
            let big = header + (1...2).map { "Glock,17,pistol,9x19mm,BIG\($0)X,AT,2015,\(String(repeating: "n", count: 1500))\n" }.joined()
            #expect(try await ImportTests.post(app, clerk, big).status == .contentTooLarge)
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE serial_marked LIKE 'CAP%' OR serial_marked LIKE 'BIG%'") == 0)
            let fits = try await ImportTests.post(app, clerk, header + (1...3).map { "Glock,17,pistol,9x19mm,CAP\($0)X,AT,2015,\n" }.joined())
            #expect(fits.status == .ok, "\(fits.text)")
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE serial_marked LIKE 'CAP%'") == 3)
        }
    }

    @Test("verifications run one at a time: a caller who asks while one runs shares its report, and the work runs once")
    func singleFlight() async throws {
        let gate = SingleFlight<Int>()
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let runs = Counter()
        async let first = gate.report {
            await runs.increment()
            startedSignal.yield()
            for await _ in release { break }
            return 42
        }
        for await _ in started { break }
        async let second = gate.report { await runs.increment(); return 7 }
        // The second caller has joined the first run before it is let go.
        while await gate.joined == 0 { await Task.yield() }
        releaseSignal.yield()
        let (a, b) = try await (first, second)
        #expect(a.0 == 42 && a.shared == false)
        #expect(b.0 == 42 && b.shared == true)
        #expect(await runs.value == 1)
        let after = try await gate.report { 9 }
        #expect(after.0 == 9 && after.shared == false)
    }
}

actor Counter {
    var value = 0
    func increment() { value += 1 }
}

@Suite("Trust: login limits")
struct LoginLimitTests {
    static func status(_ work: () async throws -> Void) async -> Int {
        do {
            try await work()
            return 200
        } catch let problem as Problem {
            return problem.status
        } catch {
            return 500
        }
    }

    @Test("failures lock a username for one client address only; an unknown username locks alike; an administrator's unlock clears it")
    func lockPerAddress() async throws {
        try await withTestApp { app in
            _ = try await app.token(roles: [.clerk], username: "bob")
            let accounts = app.parts.accounts
            func attempt(_ name: String, _ password: String, from address: String) async -> Int {
                await Self.status { _ = try await accounts.login(username: name, password: password, address: address, requestID: nil) }
            }
            let attacker = "203.0.113.5", clerk = "198.51.100.7"
            var answers: [Int] = []
            for _ in 0..<5 { answers.append(await attempt("bob", "guess guess guess", from: attacker)) }
            #expect(answers == [401, 401, 401, 401, 429])
            #expect(await attempt("bob", "correct horse battery staple", from: attacker) == 429)
            // Bob, from his own desk, is not locked out by the attacker.
            #expect(await attempt("bob", "correct horse battery staple", from: clerk) == 200)
            // A name that does not exist answers exactly as one that does.
            var unknown: [Int] = []
            for _ in 0..<6 { unknown.append(await attempt("nobody", "guess guess guess", from: attacker)) }
            #expect(unknown == [401, 401, 401, 401, 429, 429])
            // The lock decays: after the lockout, the pair may try again.
            app.clock.advance(by: 15 * 60 + 1)
            #expect(await attempt("bob", "correct horse battery staple", from: attacker) == 200)
            for _ in 0..<5 { _ = await attempt("bob", "guess guess guess", from: attacker) }
            #expect(await attempt("bob", "correct horse battery staple", from: attacker) == 429)
            let admin = try await app.token(roles: [.admin])
            let id = try await TrustTests.userID(app, admin: admin, "bob")
            let user = try await app.request(.get, "/v1/users/\(id)", token: admin)
            #expect(try user.object["locked_until"] as? String != nil)
            #expect(try await app.request(.patch, "/v1/users/\(id)", token: admin, json: #"{"unlock":true}"#,
                                          headers: [.ifMatch: user.headers[.eTag] ?? ""]).status == .ok)
            #expect(await attempt("bob", "correct horse battery staple", from: attacker) == 200)
        }
    }

    @Test("one client address may try only so many logins a minute, whatever the names, before any password work")
    func throttlePerAddress() async throws {
        try await withTestApp(configure: { $0.loginsPerMinutePerAddress = 3 }) { app in
            let accounts = app.parts.accounts
            var answers: [Int] = []
            for index in 0..<4 {
                answers.append(await Self.status {
                    _ = try await accounts.login(username: "user\(index)", password: "guess guess guess", address: "192.0.2.9", requestID: nil)
                })
            }
            #expect(answers == [401, 401, 401, 429])
            let other = await Self.status {
                _ = try await accounts.login(username: "user9", password: "guess guess guess", address: "192.0.2.10", requestID: nil)
            }
            #expect(other == 401)
            app.clock.advance(by: 61)
            let later = await Self.status {
                _ = try await accounts.login(username: "user5", password: "guess guess guess", address: "192.0.2.9", requestID: nil)
            }
            #expect(later == 401)
            let throttled = try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'auth.login' AND detail->>'reason' = 'throttled'")
            #expect(throttled == 1)
        }
    }
}

@Suite("Trust: idempotency keys")
struct IdempotencyKeyTests {
    @Test("a key left in progress by a crash is free again after its request's lifetime; kept answers are purged after a day")
    func abandonedAndPurged() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let body = #"{"kind":"person","name":"Ada Byron","country":"JM"}"#
            let first = try await app.request(.post, "/v1/holders", token: clerk, json: body, headers: [IdempotencyMiddleware.header: "k-1"])
            #expect(first.status == .created, "\(first.text)")
            // A key whose first request never finished (the process was killed mid-request).
            try await app.database.asOwner {
                _ = try await $0.query("""
                    UPDATE idempotency_keys SET status = NULL, body = NULL, created_at = clock_timestamp() - interval '5 minutes'
                    WHERE key = 'k-1'
                    """, logger: TestCluster.logger)
            }
            let blocked = try await app.request(.post, "/v1/holders", token: clerk, json: body, headers: [IdempotencyMiddleware.header: "k-1"])
            #expect(blocked.status == .conflict)
            try await app.database.asOwner {
                _ = try await $0.query("UPDATE idempotency_keys SET created_at = clock_timestamp() - interval '11 minutes' WHERE key = 'k-1'",
                                       logger: TestCluster.logger)
            }
            let retried = try await app.request(.post, "/v1/holders", token: clerk, json: body, headers: [IdempotencyMiddleware.header: "k-1"])
            #expect(retried.status == .created, "\(retried.text)")
            // Kept answers older than a day are purged.
            try await app.database.asOwner {
                _ = try await $0.query("UPDATE idempotency_keys SET created_at = clock_timestamp() - interval '25 hours'", logger: TestCluster.logger)
            }
            let purged = try await IdempotencyMiddleware.purge(database: app.store, logger: TestCluster.logger)
            #expect(purged >= 1)
            #expect(try await app.count("SELECT count(*) FROM idempotency_keys") == 0)
        }
    }
}

@Suite("Trust: the store's roles and transport")
struct StoreRoleTests {
    @Test("start-up refuses an app role that is a superuser or could rewrite the audit tables; the shipped app role passes")
    func appRoleChecks() async throws {
        try await withTestDatabase { database in
            let owner = try database.ownerSettings.username
            try await StoreRuntime.checkAppRoleCannotRewriteTheTrail(try database.appSettings, owner: owner, logger: TestCluster.logger)
            for (settings, expected) in [(try database.superuserSettings, "is a superuser"), (try database.ownerSettings, "holds audit_entries UPDATE")] {
                do {
                    try await StoreRuntime.checkAppRoleCannotRewriteTheTrail(settings, owner: owner, logger: TestCluster.logger)
                    Issue.record("\(settings.username) was accepted")
                } catch let error as ConfigurationError {
                    #expect("\(error)".contains(expected), "\(error)")
                }
            }
        }
    }

    @Test("an external database on another host needs verified TLS unless allowed; local hosts and sockets do not")
    func transport() throws {
        #expect(try ConnectionSettings(url: "postgres://app:pw@db.example.org/ifcd").transportProblem != nil)
        #expect(try ConnectionSettings(url: "postgres://app:pw@db.example.org/ifcd?sslmode=prefer").transportProblem != nil)
        #expect(try ConnectionSettings(url: "postgres://app:pw@db.example.org/ifcd?sslmode=verify-full").transportProblem == nil)
        #expect(try ConnectionSettings(url: "postgres://app:pw@db.example.org/ifcd?sslmode=require").transportProblem == nil)
        #expect(try ConnectionSettings(url: "postgres://app:pw@localhost/ifcd").transportProblem == nil)
        #expect(try ConnectionSettings(url: "postgres://app:pw@127.0.0.1:5433/ifcd?sslmode=disable").transportProblem == nil)
        #expect(try ConnectionSettings(url: "postgres://app:pw@%2Fvar%2Frun%2Fpostgresql/ifcd").transportProblem == nil)
    }
}
