import Foundation
import HTTPTypes
import IFCCore
import PostgresNIO
import Testing

@Suite("Shared HTTP conventions")
struct HTTPConventionTests {
    static let newUser = #"{"username":"frank","password":"correct horse battery staple","roles":["clerk"]}"#

    @Test("an unknown JSON field is 422 naming it, and nothing is written")
    func unknownField() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let response = try await app.request(.post, "/v1/users", token: admin,
                                                 json: #"{"username":"frank","password":"correct horse battery staple","roles":["clerk"],"is_superuser":true}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.isProblem)
            #expect(try response.problemFields == ["is_superuser"])
            let count = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM users WHERE username = 'frank'", as: Int.self) }
            #expect(count == 0)
        }
    }

    @Test("an undeclared query parameter is 422 naming it, never the unfiltered list")
    func undeclaredQueryParameter() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let misspelt = try await app.request(.get, "/v1/users?rol=clerk", token: admin)
            #expect(misspelt.status == .unprocessableContent)
            #expect(misspelt.isProblem)
            #expect(try misspelt.problemFields == ["rol"])
            let analyst = try await app.token(roles: [.analyst])
            let firearms = try await app.request(.get, "/v1/firearms?stauts=lost&limit=5", token: analyst)
            #expect(firearms.status == .unprocessableContent)
            #expect(try firearms.problemFields == ["stauts"])
            let noneTaken = try await app.request(.get, "/v1/users/\(UUID().uuidString)?verbose=1", token: admin)
            #expect(noneTaken.status == .unprocessableContent)
            #expect(try noneTaken.problemFields == ["verbose"])
            // Declared parameters still work, and anonymous callers get 401 before any check of the query.
            #expect(try await app.request(.get, "/v1/users?role=clerk", token: admin).status == .ok)
            #expect(try await app.request(.get, "/v1/users?rol=clerk").status == .unauthorized)
        }
    }

    @Test("validation errors list every bad field")
    func validationFields() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let response = try await app.request(.post, "/v1/users", token: admin,
                                                 json: #"{"username":"1x","password":"short","roles":["wizard"]}"#)
            #expect(response.status == .unprocessableContent)
            #expect(Set(try response.problemFields) == ["username", "password", "roles[0]"])
            let wrongType = try await app.request(.post, "/v1/users", token: admin, json: #"{"username":"frank","password":"correct horse battery staple","roles":"clerk"}"#)
            #expect(wrongType.status == .unprocessableContent)
            #expect(try wrongType.problemFields == ["roles"])
            let missing = try await app.request(.post, "/v1/users", token: admin, json: #"{"username":"frank","roles":["clerk"]}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(try missing.problemFields == ["password"])
        }
    }

    @Test("malformed JSON is 400, a wrong content type 415, a body over 1 MiB 413; never 500")
    func badBodies() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let malformed = try await app.request(.post, "/v1/users", token: admin, json: #"{"username": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.isProblem)
            let notJSON = try await app.request(.post, "/v1/users", token: admin, json: "username=frank", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(notJSON.status == .unsupportedMediaType)
            let huge = "{\"username\":\"" + String(repeating: "a", count: 1 << 20) + "\"}"
            let tooLarge = try await app.request(.post, "/v1/users", token: admin, json: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.isProblem)
            let array = try await app.request(.post, "/v1/users", token: admin, json: "[1,2,3]")
            #expect(array.status == .badRequest || array.status == .unprocessableContent)
            let badUUID = try await app.request(.get, "/v1/users/not-a-uuid", token: admin)
            #expect(badUUID.status == .unprocessableContent)
            #expect(try badUUID.problemFields == ["id"])
            let absent = try await app.request(.get, "/v1/users/\(UUID().uuidString)", token: admin)
            #expect(absent.status == .notFound)
            #expect(absent.isProblem)
        }
    }

    @Test("updates need If-Match: missing is 428, stale is 412, current succeeds with a new ETag")
    func optimisticConcurrency() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let created = try await app.request(.post, "/v1/users", token: admin, json: Self.newUser)
            #expect(created.status == .created)
            let etag = try #require(created.headers[.eTag])
            #expect(etag == "\"1\"")
            let location = try #require(created.headers[.location])
            let missing = try await app.request(.patch, location, token: admin, json: #"{"roles":["clerk","analyst"]}"#)
            #expect(missing.status == .preconditionRequired)
            #expect(missing.isProblem)
            let ok = try await app.request(.patch, location, token: admin, json: #"{"roles":["clerk","analyst"]}"#, headers: [.ifMatch: etag])
            #expect(ok.status == .ok)
            #expect(ok.headers[.eTag] == "\"2\"")
            #expect(try ok.object["version"] as? Int == 2)
            let stale = try await app.request(.patch, location, token: admin, json: #"{"disabled":true}"#, headers: [.ifMatch: etag])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.isProblem)
            let garbage = try await app.request(.patch, location, token: admin, json: #"{"disabled":true}"#, headers: [.ifMatch: "yesterday"])
            #expect(garbage.status == .unprocessableContent || garbage.status == .preconditionFailed)
            let current = try await app.request(.get, location, token: admin)
            #expect(try current.object["disabled"] as? Bool == false)
            #expect(try current.object["roles"] as? [String] == ["analyst", "clerk"])
        }
    }

    @Test("Idempotency-Key: same key and body replays the first response; another body is 422")
    func idempotency() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "create-frank-1"]
            let first = try await app.request(.post, "/v1/users", token: admin, json: Self.newUser, headers: key)
            #expect(first.status == .created)
            let replay = try await app.request(.post, "/v1/users", token: admin, json: Self.newUser, headers: key)
            #expect(replay.status == .created)
            #expect(replay.text == first.text)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(replay.headers[.location] == first.headers[.location])
            let other = try await app.request(.post, "/v1/users", token: admin,
                                              json: #"{"username":"grace","password":"correct horse battery staple","roles":["clerk"]}"#, headers: key)
            #expect(other.status == .unprocessableContent)
            #expect(other.isProblem)
            #expect(try other.problemFields == ["Idempotency-Key"])
            let count = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM users WHERE username IN ('frank', 'grace')", as: Int.self) }
            #expect(count == 1)
            // Without a key, a repeat is a new request: here a conflict on the username.
            let again = try await app.request(.post, "/v1/users", token: admin, json: Self.newUser)
            #expect(again.status == .conflict)
            #expect(again.isProblem)
        }
    }

    @Test("X-Request-ID is echoed when sent, made when not, and recorded in audit entries")
    func requestID() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let sent = try await app.request(.get, "/v1/users", token: admin, headers: [HTTPField.Name("X-Request-ID")!: "trace-abc-123"])
            #expect(sent.headers[HTTPField.Name("X-Request-ID")!] == "trace-abc-123")
            let made = try await app.request(.get, "/health")
            #expect((made.headers[HTTPField.Name("X-Request-ID")!]?.count ?? 0) >= 16)
            // One entry per user listed (the admin is the only user), each with the request id.
            let audited = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries WHERE request_id = 'trace-abc-123' AND action = 'user.list' AND record_id IS NOT NULL", as: Int.self) }
            #expect(audited == 1)
        }
    }

    @Test("keyset pages: limit at most 500, an opaque cursor, every row exactly once")
    func pagination() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin], username: "admin0")
            for index in 1...7 { try await app.token(roles: [.clerk], username: "clerk\(index)") }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/v1/users?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await app.request(.get, uri, token: admin)
                #expect(page.status == .ok)
                let body = try page.object
                seen += ((body["items"] as? [[String: Any]]) ?? []).compactMap { $0["username"] as? String }
                cursor = body["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen.count == 8)
            #expect(Set(seen).count == 8)
            #expect(pages == 3)
            let tooMany = try await app.request(.get, "/v1/users?limit=501", token: admin)
            #expect(tooMany.status == .unprocessableContent)
            #expect(try tooMany.problemFields == ["limit"])
            let badCursor = try await app.request(.get, "/v1/users?cursor=not-a-cursor", token: admin)
            #expect(badCursor.status == .unprocessableContent)
            #expect(try badCursor.problemFields == ["cursor"])
            _ = admin
        }
    }

    @Test("health, ready and metrics are open; metrics count requests by route and status")
    func systemRoutes() async throws {
        try await withTestApp { app in
            #expect(try await app.request(.get, "/health").status == .ok)
            let ready = try await app.request(.get, "/ready")
            #expect(ready.status == .ok)
            #expect(try ready.object["status"] as? String == "ready")
            _ = try await app.request(.get, "/v1/me")
            let metrics = try await app.request(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"ifcd_http_requests_total{"#))
            #expect(metrics.text.contains(#"route="/v1/me""#) && metrics.text.contains(#"status="401""#))
            #expect(metrics.text.contains("ifcd_http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains("ifcd_db_connections_in_use"))
        }
    }

    @Test("/ready is 503 problem+json while a migration is pending")
    func notReadyWhenPending() async throws {
        try await withTestApp { app in
            try await app.database.asOwner { connection in
                try await connection.query("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)", logger: TestCluster.logger)
            }
            let ready = try await app.request(.get, "/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.isProblem)
        }
    }
}

@Suite("Hostile input")
struct HostileInputTests {
    @Test("a NUL character in any JSON string is 422 naming the field, even on the open login route")
    func nulCharacters() async throws {
        try await withTestApp { app in
            let login = try await app.request(.post, "/v1/auth/token", json: #"{"username":"a\u0000b","password":"x"}"#)
            #expect(login.status == .unprocessableContent)
            #expect(try login.problemFields == ["username"])
            let admin = try await app.token(roles: [.admin])
            let user = try await app.request(.post, "/v1/users", token: admin,
                                             json: #"{"username":"nora","password":"correct horse battery staple","roles":["clerk"],"display_name":"N\u0000"}"#)
            #expect(user.status == .unprocessableContent)
            #expect(try user.problemFields == ["display_name"])
            let auditor = try await app.token(roles: [.auditor])
            let query = try await app.request(.get, "/v1/audit?actor=a%00b", token: auditor)
            #expect(query.status == .unprocessableContent, "\(query.text)")
        }
    }
}

extension HostileInputTests {
    @Test("deeply nested, invalid UTF-8, huge-number and wrong-shape bodies are 4xx on the open login route, never a crash")
    func hostileBodies() async throws {
        try await withTestApp { app in
            let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
            let nested = try await app.request(.post, "/v1/auth/token", json: deep)
            #expect(nested.status.code >= 400 && nested.status.code < 500, "\(nested.status)")
            let deepObject = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
            #expect(try await app.request(.post, "/v1/auth/token", json: deepObject).status.code < 500)
            var invalid = ByteBuffer(string: #"{"username":""#)
            invalid.writeBytes([0xC3, 0x28, 0xFF])
            invalid.writeString(#"","password":"x"}"#)
            let badUTF8 = try await app.client.execute(uri: "/v1/auth/token", method: .post, headers: [.contentType: "application/json"], body: invalid)
            #expect(badUTF8.status == .badRequest)
            let huge = try await app.request(.post, "/v1/auth/token", json: #"{"username":1e999999,"password":"x"}"#)
            #expect(huge.status.code >= 400 && huge.status.code < 500)
            let clerk = try await app.token(roles: [.clerk])
            let bigYear = try await app.request(.post, "/v1/firearms", token: clerk,
                                                json: #"{"make":"Colt","type":"revolver","calibre":".38","serial":"X1","year_of_manufacture":99999999999999999999}"#)
            #expect(bigYear.status == .unprocessableContent || bigYear.status == .badRequest, "\(bigYear.status)")
            let longSerial = try await app.request(.get, "/v1/firearms/search?serial=" + String(repeating: "A", count: 5000), token: clerk)
            #expect(longSerial.status == .unprocessableContent)
        }
    }
}

extension HostileInputTests {
    @Test("SQL and path metacharacters in serials, patterns, names and path ids are data: no 500, no match, nothing written")
    func metacharacters() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "ZX-9001"))
            let firearms = try await app.count("SELECT count(*) FROM firearms")
            for query in ["/v1/firearms?serial=%27%20OR%201%3D1%20--", "/v1/firearms?make=%25", "/v1/firearms?make=_",
                          "/v1/firearms/search?serial=ZX%25%25%25", "/v1/firearms/search?serial=ZX9%5C%5C%5C", "/v1/firearms/search?serial=ZX9_0_1",
                          "/v1/holders?name=%25%27%3B%20DROP%20TABLE%20holders%3B--", "/v1/holders?id_number=%5C"] {
                let response = try await app.request(.get, query, token: clerk)
                #expect(response.status == .ok || response.status == .unprocessableContent, "\(query): \(response.status)")
                if response.status == .ok {
                    #expect(((try response.object["items"] as? [Any]) ?? []).isEmpty, "\(query) matched as a wildcard")
                }
            }
            for path in ["/v1/firearms/..%2F..%2Fetc%2Fpasswd", "/v1/firearms/%27%3B%20DROP%20TABLE%20firearms%3B--",
                         "/v1/firearms/00000000-0000-0000-0000-000000000000%00", "/v1/holders/%2e%2e"] {
                let response = try await app.request(.get, path, token: clerk)
                #expect(response.status.code >= 400 && response.status.code < 500, "\(path): \(response.status)")
                #expect(response.isProblem)
            }
            let write = try await app.request(.post, "/v1/firearms", token: clerk,
                                              json: RegistryTests.firearm(make: "Colt'); DELETE FROM firearms; --", serial: "Q'1\\\\%_"))
            #expect(write.status == .created, "\(write.text)")
            #expect(try await app.count("SELECT count(*) FROM firearms") == firearms + 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create'") == 2)
        }
    }
}
