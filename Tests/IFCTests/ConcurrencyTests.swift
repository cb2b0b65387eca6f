import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("N clerks correcting one firearm at the same version: exactly one wins, the rest get 412")
    func oneWinnerPerVersion() async throws {
        try await withTestApp(configure: { $0.poolSize = 8 }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let created = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let path = "/v1/firearms/\(created["id"] as! String)"
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await app.request(.patch, path, token: clerk, json: #"{"notes":"writer \#(index)"}"#, headers: [.ifMatch: "\"1\""]).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .preconditionFailed }.count == 11, "\(statuses)")
            let versions = try await RegistryTests.count(app, "SELECT count(*) FROM firearm_versions")
            #expect(versions == 2)
        }
    }

    @Test("N clerks registering at once: distinct references; the same firearm twice at once is one record and a 409")
    func concurrentRegistrations() async throws {
        try await withTestApp(configure: { $0.poolSize = 8 }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<16 {
                    // Pairs of identical firearms: serial S0, S0, S1, S1, …
                    group.addTask {
                        try await app.request(.post, "/v1/firearms", token: clerk, json: RegistryTests.firearm(serial: "S\(index / 2)")).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 8, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 8, "\(statuses)")
            #expect(try await RegistryTests.count(app, "SELECT count(DISTINCT reference) FROM firearms") == 8)
            #expect(try await RegistryTests.count(app, "SELECT count(*) FROM audit_entries WHERE action = 'firearm.create'") == 8)
        }
    }

    @Test("N clerks appending events to one firearm: each applies to the status the previous one left")
    func serialisedEvents() async throws {
        try await withTestApp(configure: { $0.poolSize = 8 }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let created = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let path = "/v1/firearms/\(created["id"] as! String)/events"
            // Eight "reported stolen" at once: the first succeeds, the rest find it stolen already.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await app.request(.post, path, token: clerk, json: #"{"kind":"reported_stolen","occurred_on":"2024-01-01"}"#).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            #expect(try await RegistryTests.count(app, "SELECT count(*) FROM firearm_events") == 1)
        }
    }
}
