import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing

/// Races through the live server: each request on its own real connection, all of them sent only
/// once every connection is open (`LiveTestApp.atOnce`), and the server's peak of requests in
/// flight checked, so that "at once" is shown rather than assumed.
@Suite("Concurrency")
struct ConcurrencyTests {
    static func statuses(_ responses: [TestClient.Response]) -> [HTTPResponse.Status] { responses.map(\.status) }

    @Test("N clerks correcting one firearm at the same version: exactly one wins, the rest get 412")
    func oneWinnerPerVersion() async throws {
        try await withLiveTestApp(configure: { $0.poolSize = 8 }) { live in
            let app = live.app
            let clerk = try await app.token(roles: [.clerk])
            let created = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let path = "/v1/firearms/\(try #require(created["id"] as? String))"
            live.inFlight.resetPeak()
            let statuses = Self.statuses(try await live.atOnce((0..<12).map { index in
                LiveTestApp.Request(method: .patch, uri: path, token: clerk, json: #"{"notes":"writer \#(index)"}"#, headers: [.ifMatch: "\"1\""])
            }))
            #expect(live.inFlight.peak > 1, "the server never handled two of the requests at the same time")
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .preconditionFailed }.count == 11, "\(statuses)")
            let versions = try await app.count("SELECT count(*) FROM firearm_versions")
            #expect(versions == 2)
        }
    }

    @Test("N clerks registering at once: distinct references; the same firearm twice at once is one record and a 409")
    func concurrentRegistrations() async throws {
        try await withLiveTestApp(configure: { $0.poolSize = 8 }) { live in
            let app = live.app
            let clerk = try await app.token(roles: [.clerk])
            live.inFlight.resetPeak()
            // Pairs of identical firearms: serial S0, S0, S1, S1, …
            let statuses = Self.statuses(try await live.atOnce((0..<16).map { index in
                LiveTestApp.Request(method: .post, uri: "/v1/firearms", token: clerk, json: RegistryTests.firearm(serial: "S\(index / 2)"))
            }))
            #expect(live.inFlight.peak > 1, "the server never handled two of the requests at the same time")
            #expect(statuses.filter { $0 == .created }.count == 8, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 8, "\(statuses)")
            #expect(try await app.count("SELECT count(DISTINCT reference) FROM firearms") == 8)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create'") == 8)
        }
    }

    @Test("N clerks appending events to one firearm: each applies to the status the previous one left")
    func serialisedEvents() async throws {
        try await withLiveTestApp(configure: { $0.poolSize = 8 }) { live in
            let app = live.app
            let clerk = try await app.token(roles: [.clerk])
            let created = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let path = "/v1/firearms/\(try #require(created["id"] as? String))/events"
            live.inFlight.resetPeak()
            // Eight "reported stolen" at once: the first succeeds, the rest find it stolen already.
            let statuses = Self.statuses(try await live.atOnce((0..<8).map { _ in
                LiveTestApp.Request(method: .post, uri: path, token: clerk, json: #"{"kind":"reported_stolen","occurred_on":"2024-01-01"}"#)
            }))
            #expect(live.inFlight.peak > 1, "the server never handled two of the requests at the same time")
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            #expect(try await app.count("SELECT count(*) FROM firearm_events") == 1)
        }
    }
}
