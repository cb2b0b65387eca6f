import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// Holders and licences keep their history like firearms, and no history or event row can be
/// changed or removed by any role.
@Suite("Registry history")
struct RegistryHistoryTests {
    @Test("a holder's change is a new version (If-Match); the old address stays in its history")
    func holderHistory() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let created = try await app.request(.post, "/v1/holders", token: clerk,
                                                json: #"{"kind":"person","name":"Ann Lee","address":"1 Hope Road","country":"JM"}"#)
            let id = try #require(try created.object["id"] as? String)
            let missing = try await app.request(.patch, "/v1/holders/\(id)", token: clerk, json: #"{"address":"9 Main Street"}"#)
            #expect(missing.status == .preconditionRequired)
            let moved = try await app.request(.patch, "/v1/holders/\(id)", token: clerk, json: #"{"address":"9 Main Street"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(moved.headers[.eTag] == "\"2\"")
            #expect(try moved.object["address"] as? String == "9 Main Street")
            let stale = try await app.request(.patch, "/v1/holders/\(id)", token: clerk, json: #"{"address":"3 Market Street"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(stale.status == .preconditionFailed)
            let same = try await app.request(.patch, "/v1/holders/\(id)", token: clerk, json: #"{"address":"9 Main Street"}"#,
                                             headers: [.ifMatch: "\"2\""])
            #expect(same.status == .unprocessableContent)
            let bad = try await app.request(.patch, "/v1/holders/\(id)", token: clerk, json: #"{"country":"Jamaica","name":" "}"#,
                                            headers: [.ifMatch: "\"2\""])
            #expect(Set(try bad.problemFields) == ["country", "name"])
            let analyst = try await app.token(roles: [.analyst])
            #expect(try await app.request(.patch, "/v1/holders/\(id)", token: analyst, json: #"{"name":"X"}"#, headers: [.ifMatch: "\"2\""]).status == .forbidden)
            let history = try await app.request(.get, "/v1/holders/\(id)/history", token: analyst)
            #expect(history.status == .ok)
            let versions = try #require(try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]])
            #expect(versions.compactMap { $0["version"] as? Int } == [1, 2])
            #expect((versions[0]["record"] as? [String: Any])?["address"] as? String == "1 Hope Road")
            #expect((versions[1]["record"] as? [String: Any])?["address"] as? String == "9 Main Street")
            #expect(versions[1]["change"] as? String == "changed: address")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'holder.update' AND record_id = \(id)") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'holder.history' AND record_id = \(id)") == 1)
            #expect(try await app.request(.get, "/v1/holders/\(UUID())/history", token: analyst).status == .notFound)
        }
    }

    @Test("a licence's changes are versions in its history")
    func licenceHistory() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (holder, firearms) = try await LicenceTests.setUp(app, clerk: clerk)
            let created = try await app.request(.post, "/v1/licences", token: clerk, json: LicenceTests.licence(holder: holder, firearms: firearms))
            let id = try #require(try created.object["id"] as? String)
            let revoked = try await app.request(.patch, "/v1/licences/\(id)", token: clerk,
                                                json: #"{"status":"revoked","status_reason":"court order"}"#, headers: [.ifMatch: "\"1\""])
            #expect(revoked.status == .ok, "\(revoked.text)")
            let history = try await app.request(.get, "/v1/licences/\(id)/history", token: try await app.token(roles: [.liaison]))
            let versions = try #require(try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]])
            #expect(versions.compactMap { ($0["record"] as? [String: Any])?["status"] as? String } == ["active", "revoked"])
            #expect(versions.compactMap { $0["change"] as? String } == ["issued", "status: revoked"])
        }
    }

    @Test("versions and events are insert-only for the app role and for the owner alike")
    func historyIsInsertOnly() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let id = try #require(firearm["id"] as? String)
            _ = try await RegistryTests.event(app, clerk, "/v1/firearms/\(id)", #"{"kind":"reported_lost","occurred_on":"2020-01-01"}"#)
            _ = try await app.request(.post, "/v1/holders", token: clerk, json: #"{"kind":"person","name":"Ann Lee","country":"JM"}"#)
            let statements: [PostgresQuery] = [
                "UPDATE firearm_versions SET change = 'rewritten'", "DELETE FROM firearm_versions",
                "UPDATE firearm_events SET notes = 'rewritten'", "DELETE FROM firearm_events",
                "UPDATE holder_versions SET change = 'rewritten'", "DELETE FROM holder_versions",
                "TRUNCATE firearm_events CASCADE",
            ]
            for statement in statements {
                await #expect(throws: (any Error).self, "\(statement.sql) as app") {
                    try await app.database.asApp { _ = try await $0.query(statement, logger: TestCluster.logger) }
                }
                await #expect(throws: (any Error).self, "\(statement.sql) as owner") {
                    try await app.database.asOwner { _ = try await $0.query(statement, logger: TestCluster.logger) }
                }
            }
            #expect(try await app.count("SELECT count(*) FROM firearm_events") == 1)
            #expect(try await app.count("SELECT count(*) FROM firearm_versions WHERE change = 'rewritten'") == 0)
        }
    }
}
