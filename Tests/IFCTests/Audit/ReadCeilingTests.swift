import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing
@testable import IFCServer

/// The ceiling of records one user may read per hour (issue: trust, abuse limits).
@Suite("Trust: bulk reading ceiling")
struct ReadCeilingTests {
    @Test("under the ceiling reads pass; over it a 429 with Retry-After and a denied entry, whichever route; the hour slides; bulk_reader lifts it")
    func ceiling() async throws {
        try await withTestApp(configure: { $0.auditMaxReadsPerHour = 10 }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let analyst = try await app.token(roles: [.analyst], username: "ana")
            var ids: [String] = []
            for index in 0..<6 {
                ids.append(try #require(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "RC\(index)"))["id"] as? String))
            }
            // 6 + 1 + 3 = 10 records: at the ceiling, not over it.
            #expect(try await app.request(.get, "/v1/firearms?limit=6", token: analyst).status == .ok)
            #expect(try await app.request(.get, "/v1/firearms/\(ids[0])", token: analyst).status == .ok)
            #expect(try await app.request(.get, "/v1/firearms?limit=3", token: analyst).status == .ok)
            // An empty answer shows no record and so does not count.
            #expect(try await app.request(.get, "/v1/holders?name=nobody&limit=5", token: analyst).status == .ok)
            let reads = try await app.count("SELECT count(*) FROM audit_entries WHERE actor = 'ana' AND record_id IS NOT NULL")
            #expect(reads == 10)

            // One more record, by a list or by id: refused before any data, with the refusal audited.
            let over = try await app.request(.get, "/v1/firearms?limit=1", token: analyst)
            #expect(over.status == .tooManyRequests)
            #expect(over.isProblem)
            #expect(try (over.object["type"] as? String)?.hasSuffix("read-ceiling") == true)
            #expect(try over.object["items"] == nil)
            let retry = try #require(over.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...3600).contains(retry))
            #expect(try await app.request(.get, "/v1/firearms/\(ids[1])", token: analyst).status == .tooManyRequests)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE actor = 'ana' AND record_id IS NOT NULL") == 10)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE actor = 'ana' AND action = 'read.ceiling' AND outcome = 'denied'
                  AND detail->>'ceiling' = '10' AND detail->>'read_in_hour' = '10'
                """) == 2)
            // Another user has their own count.
            let other = try await app.token(roles: [.analyst], username: "bea")
            #expect(try await app.request(.get, "/v1/firearms?limit=6", token: other).status == .ok)

            // The hour slides: half an hour on, still refused; past the hour, reads pass again.
            app.clock.advance(by: 1800)
            #expect(try await app.request(.get, "/v1/firearms?limit=1", token: analyst).status == .tooManyRequests)
            app.clock.advance(by: Double(retry))
            #expect(try await app.request(.get, "/v1/firearms?limit=6", token: analyst).status == .ok)
            #expect(try await app.request(.get, "/v1/firearms?limit=6", token: analyst).status == .tooManyRequests)

            // An administrator grants bulk_reader: the ceiling no longer applies (from the next request).
            let admin = try await app.token(roles: [.admin])
            let id = try await TrustTests.userID(app, admin: admin, "ana")
            let granted = try await app.request(.patch, "/v1/users/\(id)", token: admin, json: #"{"roles":["analyst","bulk_reader"]}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(granted.status == .ok, "\(granted.text)")
            for _ in 0..<3 {
                #expect(try await app.request(.get, "/v1/firearms?limit=6", token: analyst).status == .ok)
            }
            // bulk_reader is a flag: alone it reaches no record; admin is still held alone.
            let flagOnly = try await app.token(roles: [.bulkReader])
            #expect(try await app.request(.get, "/v1/firearms?limit=1", token: flagOnly).status == .forbidden)
            let mixed = try await app.request(.post, "/v1/users", token: admin,
                                              json: #"{"username":"mixedbulk","password":"correct horse battery staple","roles":["admin","bulk_reader"]}"#)
            #expect(mixed.status == .unprocessableContent)
        }
    }

    @Test("audit.maxReadsPerHour is read from the environment and checked")
    func configuration() async throws {
        #expect(try await AppConfig.load(file: nil, environment: [:]).auditMaxReadsPerHour == 5000)
        #expect(try await AppConfig.load(file: nil, environment: ["IFCD_AUDIT_MAX_READS_PER_HOUR": "250"]).auditMaxReadsPerHour == 250)
        await #expect(throws: (any Error).self) {
            _ = try await AppConfig.load(file: nil, environment: ["IFCD_AUDIT_MAX_READS_PER_HOUR": "0"])
        }
    }
}
