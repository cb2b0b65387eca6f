import Foundation
import HTTPTypes
import IFCCore
import Testing

/// Each failure schemathesis (`Deploy/reliability/fuzz.sh`) found, kept as a test.
@Suite("Spec fuzzing regressions")
struct FuzzRegressionTests {
    @Test("a known path asked with a method it does not take is 405 with Allow, not 404; a literal path beats a parameter")
    func methodNotAllowed() async throws {
        try await withTestApp { app in
            let analyst = try await app.token(roles: [.analyst])
            let trace = try await app.request(HTTPRequest.Method("TRACE")!, "/v1/me", token: analyst)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.isProblem)
            #expect(trace.headers[.allow] == "GET")
            let search = try await app.request(.options, "/v1/firearms/search?serial=ABC", token: analyst)
            #expect(search.status == .methodNotAllowed)
            #expect(search.headers[.allow] == "GET", "/v1/firearms/search is not /v1/firearms/{id}, which also takes PATCH")
            let byID = try await app.request(.delete, "/v1/firearms/\(UUID().uuidString)", token: analyst)
            #expect(byID.headers[.allow] == "GET, PATCH")
            #expect(try await app.request(.get, "/v1/nothing-here", token: analyst).status == .notFound)
        }
    }

    @Test("an empty If-Match on an event (where If-Match is optional) is 422 naming it, not 428; a signed version is 422")
    func optionalIfMatch() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let id = try #require(firearm["id"] as? String)
            let event = #"{"kind":"reported_stolen","occurred_on":"2024-03-01"}"#
            let empty = try await app.request(.post, "/v1/firearms/\(id)/events", token: clerk, json: event, headers: [.ifMatch: ""])
            #expect(empty.status == .unprocessableContent)
            #expect(try empty.problemFields == ["If-Match"])
            let signed = try await app.request(.post, "/v1/firearms/\(id)/events", token: clerk, json: event, headers: [.ifMatch: "\"+1\""])
            #expect(try signed.problemFields == ["If-Match"])
            #expect(try await app.count("SELECT count(*) FROM firearm_events") == 0)
            #expect(try await app.request(.post, "/v1/firearms/\(id)/events", token: clerk, json: event, headers: [.ifMatch: "\"1\""]).status == .created)
        }
    }

    @Test("the document says what the server takes: null for an optional field, ISO countries, ETag and PATCH body shapes")
    func documentMatchesValidation() async throws {
        try await withTestApp { app in
            let document = try await app.request(.get, "/openapi.json").object
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let country = try #require(schemas["Country"] as? [String: Any])
            #expect((country["enum"] as? [String])?.contains("JM") == true)
            #expect((country["enum"] as? [String])?.contains("ZZ") == false)
            let changes = try #require(schemas["LicenceChanges"] as? [String: Any])
            #expect(changes["minProperties"] as? Int == 1)
            let reason = try #require((changes["properties"] as? [String: Any])?["status_reason"] as? [String: Any])
            #expect((reason["anyOf"] as? [[String: Any]])?.contains { $0["type"] as? String == "null" } == true)
            // And the server does read that null as absent.
            let clerk = try await app.token(roles: [.clerk])
            let (holder, firearms) = try await LicenceTests.setUp(app, clerk: clerk)
            let created = try await app.request(.post, "/v1/licences", token: clerk, json: LicenceTests.licence(holder: holder, firearms: firearms))
            let path = "/v1/licences/\(try #require(try created.object["id"] as? String))"
            let changed = try await app.request(.patch, path, token: clerk, json: #"{"status_reason":null,"valid_until":"2030-01-01"}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(changed.status == .ok, "\(changed.text)")
        }
    }
}
