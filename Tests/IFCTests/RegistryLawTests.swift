import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
@testable import Registry
import Testing

/// What the law asks a national record to hold (EU 2021/555 Art 4, ITI paras 8-12).
@Suite("Registry: what the law asks")
struct RegistryLawTests {
    static func items(_ response: TestResponse) throws -> [[String: Any]] {
        (try response.object["items"] as? [[String: Any]]) ?? []
    }

    @Test("an obliterated firearm is recorded without a serial, with its reference and a state marking; without a reason the serial is required")
    func firearmWithoutSerial() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let refused = try await app.request(.post, "/v1/firearms", token: clerk, json: #"{"make":"Unknown","type":"pistol","calibre":"9x19mm"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.problemFields == ["serial"])
            let noStateMark = try await app.request(.post, "/v1/firearms", token: clerk,
                                                    json: #"{"make":"Unknown","type":"pistol","calibre":"9x19mm","marking_condition":"obliterated"}"#)
            #expect(try noStateMark.problemFields == ["state_marking"])
            let body = #"{"make":"Unknown","type":"pistol","calibre":"9x19mm","marking_condition":"obliterated","state_marking":"JM-CF-2026-0042","record_origin":"illicit","manufacturer":"unknown","marking_part":"frame"}"#
            let created = try await app.request(.post, "/v1/firearms", token: clerk, json: body)
            #expect(created.status == .created, "\(created.text)")
            let firearm = try created.object
            #expect(firearm["serial"] is NSNull)
            #expect(firearm["serial_normalized"] is NSNull)
            #expect(firearm["state_marking"] as? String == "JM-CF-2026-0042")
            #expect(firearm["marking_condition"] as? String == "obliterated")
            #expect(firearm["record_origin"] as? String == "illicit")
            #expect((firearm["reference"] as? String)?.hasPrefix("FA-") == true)
            // A second one like it is no duplicate: nothing identifies it but its reference.
            let second = try await app.request(.post, "/v1/firearms", token: clerk, json: body.replacingOccurrences(of: "0042", with: "0043"))
            #expect(second.status == .created)
            // The database holds the rule too.
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE firearms SET state_marking = NULL WHERE serial_marked IS NULL", logger: TestCluster.logger)
                }
            }
        }
    }

    @Test("a crime gun never reads as lawfully registered: lists show the origin and filter by it")
    func recordOrigin() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "LAW1"))
            try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "CRIME1", extra: #","record_origin":"illicit""#))
            let analyst = try await app.token(roles: [.analyst])
            let all = try Self.items(try await app.request(.get, "/v1/firearms", token: analyst))
            #expect(Dictionary(uniqueKeysWithValues: all.compactMap { f in (f["serial"] as? String).map { ($0, f["record_origin"] as? String) } })
                    == ["LAW1": "lawful", "CRIME1": "illicit"])
            let illicit = try Self.items(try await app.request(.get, "/v1/firearms?record_origin=illicit", token: analyst))
            #expect(illicit.compactMap { $0["serial"] as? String } == ["CRIME1"])
        }
    }

    @Test("marking details, a restored marking with its method, and a legal category from the configured list")
    func markingAndCategory() async throws {
        try await withTestApp(configure: { $0.registryCategories = ["A", "B", "C", "national"] }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let bad = try await app.request(.post, "/v1/firearms", token: clerk,
                                            json: RegistryTests.firearm(extra: #","category":"Z","marking_condition":"restored""#))
            #expect(bad.status == .unprocessableContent)
            #expect(Set(try bad.problemFields) == ["category", "restoration_method"])
            let created = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(extra: #","category":"B","marking_condition":"restored","restoration_method":"magnetic particle","restoration_case":"FC-2026-000001","place_of_manufacture":"Deutsch-Wagram","alternative_marking":"AT*123","civilian_marking":"CIV-2019"}"#.dropLast().description))
            #expect(created["category"] as? String == "B")
            #expect(created["restoration_method"] as? String == "magnetic particle")
            #expect(created["place_of_manufacture"] as? String == "Deutsch-Wagram")
        }
    }
}
