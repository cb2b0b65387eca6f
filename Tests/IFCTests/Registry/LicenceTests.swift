import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing

@Suite("Registry licences")
struct LicenceTests {
    /// A holder and two firearms; returns their ids.
    static func setUp(_ app: TestApp, clerk: String) async throws -> (holder: String, firearms: [String]) {
        let holder = try await app.request(.post, "/v1/holders", token: clerk, json: #"{"kind":"person","name":"Paula Grant","country":"JM"}"#)
        var firearms: [String] = []
        for serial in ["LC100", "LC101"] {
            let created = try await app.request(.post, "/v1/firearms", token: clerk, json: RegistryTests.firearm(serial: serial))
            firearms.append(try #require(try created.object["id"] as? String))
        }
        return (try #require(try holder.object["id"] as? String), firearms)
    }

    static func licence(holder: String, firearms: [String], number: String = "FLA-2024-0001", from: String = "2024-01-01",
                        until: String = "2028-12-31") -> String {
        let ids = firearms.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"holder_id":"\#(holder)","number":"\#(number)","kind":"possession","issuing_authority":"Firearm Licensing Authority","valid_from":"\#(from)","valid_until":"\#(until)","firearm_ids":[\#(ids)]}"#
    }

    @Test("a licence covers firearms; the firearm shows it with its effective status, expired once its end date passes")
    func coverageAndExpiry() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (holder, firearms) = try await Self.setUp(app, clerk: clerk)
            let created = try await app.request(.post, "/v1/licences", token: clerk, json: Self.licence(holder: holder, firearms: firearms))
            #expect(created.status == .created, "\(created.text)")
            #expect(try created.object["effective_status"] as? String == "valid")
            let analyst = try await app.token(roles: [.analyst])
            let firearm = try await app.request(.get, "/v1/firearms/\(firearms[0])", token: analyst)
            let shown = try #require((try firearm.object["licences"] as? [[String: Any]])?.first)
            #expect(shown["number"] as? String == "FLA-2024-0001")
            #expect(shown["effective_status"] as? String == "valid")
            let licenceReads = try await app.database.asOwner { try await $0.scalar("SELECT count(*) FROM audit_entries WHERE action = 'licence.read'", as: Int.self) }
            #expect(licenceReads == 1, "the licences shown with a firearm are audited reads too")
            // Three years on, the same licence reads expired, on the licence and on the firearm.
            app.clock.advance(by: 3 * 365 * 86400)
            let analystLater = try await app.token(roles: [.analyst])  // the first token has long expired
            let later = try await app.request(.get, "/v1/firearms/\(firearms[0])", token: analystLater)
            #expect((try later.object["licences"] as? [[String: Any]])?.first?["effective_status"] as? String == "expired")
            let licenceID = try #require(try created.object["id"] as? String)
            #expect(try await app.request(.get, "/v1/licences/\(licenceID)", token: analystLater).object["effective_status"] as? String == "expired")
        }
    }

    @Test("revocation needs If-Match and a reason, shows on the firearm, and cannot be undone")
    func revocation() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (holder, firearms) = try await Self.setUp(app, clerk: clerk)
            let created = try await app.request(.post, "/v1/licences", token: clerk, json: Self.licence(holder: holder, firearms: firearms))
            let path = "/v1/licences/\(try #require(try created.object["id"] as? String))"
            #expect(try await app.request(.patch, path, token: clerk, json: #"{"status":"revoked","status_reason":"court order"}"#).status == .preconditionRequired)
            let noReason = try await app.request(.patch, path, token: clerk, json: #"{"status":"revoked"}"#, headers: [.ifMatch: "\"1\""])
            #expect(try noReason.problemFields == ["status_reason"])
            let revoked = try await app.request(.patch, path, token: clerk, json: #"{"status":"revoked","status_reason":"court order"}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(revoked.status == .ok)
            #expect(try revoked.object["effective_status"] as? String == "revoked")
            let firearm = try await app.request(.get, "/v1/firearms/\(firearms[1])", token: clerk)
            #expect((try firearm.object["licences"] as? [[String: Any]])?.first?["effective_status"] as? String == "revoked")
            let reinstate = try await app.request(.patch, path, token: clerk, json: #"{"status":"active"}"#, headers: [.ifMatch: "\"2\""])
            #expect(reinstate.status == .conflict)
        }
    }

    @Test("bad licences are 422 naming the field (end before start, unknown holder or firearm); a number is unique (409)")
    func badLicences() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (holder, firearms) = try await Self.setUp(app, clerk: clerk)
            let backwards = try await app.request(.post, "/v1/licences", token: clerk,
                                                  json: Self.licence(holder: holder, firearms: firearms, from: "2025-01-01", until: "2024-12-31"))
            #expect(try backwards.problemFields == ["valid_until"])
            let noHolder = try await app.request(.post, "/v1/licences", token: clerk, json: Self.licence(holder: UUID().uuidString, firearms: firearms))
            #expect(try noHolder.problemFields == ["holder_id"])
            let noFirearm = try await app.request(.post, "/v1/licences", token: clerk,
                                                  json: Self.licence(holder: holder, firearms: [firearms[0], UUID().uuidString]))
            #expect(try noFirearm.problemFields == ["firearm_ids[1]"])
            #expect(try await app.request(.post, "/v1/licences", token: clerk, json: Self.licence(holder: holder, firearms: [])).status == .created)
            let again = try await app.request(.post, "/v1/licences", token: clerk, json: Self.licence(holder: holder, firearms: []))
            #expect(again.status == .conflict)
            let listed = try await app.request(.get, "/v1/licences?holder_id=\(holder)", token: clerk)
            #expect((try listed.object["items"] as? [[String: Any]])?.count == 1)
            let examiner = try await app.token(roles: [.examiner])
            #expect(try await app.request(.post, "/v1/licences", token: examiner, json: Self.licence(holder: holder, firearms: [], number: "X")).status == .forbidden)
        }
    }
}
