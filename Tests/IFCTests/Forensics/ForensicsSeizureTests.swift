import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import NIOCore
import PostgresNIO
import Testing

/// Seizures: the enforcement event that brings illicit firearms into view, recorded with the
/// registry records it makes in one transaction.
@Suite("Forensics: seizures")
struct ForensicsSeizureTests {
    /// A seizure body; `firearms` is the JSON array of its firearms.
    static func seizure(firearms: String = "[]", seizedOn: String = "2025-03-01", context: String = "port", extra: String = "") -> String {
        #"{"agency":"Jamaica Constabulary Force","officer":"Det. Cpl. Brown","seized_on":"\#(seizedOn)","country":"JM","region":"Kingston","place":"Kingston Container Terminal","latitude":17.97,"longitude":-76.85,"context":"\#(context)","concealment":"inside a refrigerator in a shipping container","persons":[{"role":"consignee","nationality":"JM"},{"role":"courier"}],"firearms":\#(firearms),"parts":[{"kind":"slide","quantity":3,"marking":"none visible"}],"ammunition":[{"calibre":"9x19mm","quantity":500,"headstamp":"WIN 9MM LUGER"}]\#(extra)}"#
    }

    static let illicit = #"{"description":{"make":"Taurus","type":"pistol","calibre":"9x19mm","serial":"TJU55123","country_of_manufacture":"BR"}}"#

    static func create(_ app: TestApp, clerk: String, _ body: String) async throws -> [String: Any] {
        let response = try await app.request(.post, "/v1/seizures", token: clerk, json: body)
        #expect(response.status == .created, "\(response.text)")
        return try response.object
    }

    @Test("a clerk records a port seizure: SZ-YYYY reference, a registry firearm marked seized, a described one recorded as an illicit find, all audited")
    func recordsSeizure() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "SEIZE-1"))
            let firearmID = try #require(firearm["id"] as? String)
            let response = try await app.request(.post, "/v1/seizures", token: clerk,
                                                 json: Self.seizure(firearms: #"[{"firearm_id":"\#(firearmID)"},\#(Self.illicit)]"#))
            #expect(response.status == .created, "\(response.text)")
            #expect(response.headers[.eTag] == "\"1\"")
            let seizure = try response.object
            let reference = try #require(seizure["reference"] as? String)
            #expect(reference.range(of: "^SZ-\(CalendarDate(app.clock.now).year)-[0-9]{6}$", options: .regularExpression) != nil, "\(reference)")
            #expect(seizure["context"] as? String == "port")
            #expect((seizure["persons"] as? [[String: Any]])?.count == 2)
            #expect(((seizure["ammunition"] as? [[String: Any]])?.first?["headstamp"] as? String) == "WIN 9MM LUGER")
            let firearms = try #require(seizure["firearms"] as? [[String: Any]])
            #expect(firearms.map { $0["registry_record"] as? String } == ["existing", "illicit_find"])
            #expect(firearms.first?["firearm_id"] as? String == firearmID)
            // The registry firearm is seized, its event naming the seizure.
            let read = try await app.request(.get, "/v1/firearms/\(firearmID)", token: clerk).object
            #expect(read["status"] as? String == "seized")
            let events = try JSONSerialization.jsonObject(with: Data(buffer: try await app.request(.get, "/v1/firearms/\(firearmID)/events", token: clerk).body)) as? [[String: Any]]
            #expect(events?.last?["kind"] as? String == "seized")
            #expect(events?.last?["document_ref"] as? String == reference)
            // The described one is an illicit find, seized: a crime gun never reads as lawful.
            let foundID = try #require(firearms.last?["firearm_id"] as? String)
            let found = try await app.request(.get, "/v1/firearms/\(foundID)", token: clerk).object
            #expect(found["record_origin"] as? String == "illicit")
            #expect(found["status"] as? String == "seized")
            #expect(found["serial_normalized"] as? String == "TJU55123")
            // One write entry for the seizure, the registry's own for what it recorded, and the read through the registry's API.
            let id = try #require(seizure["id"] as? String)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'seizure.create' AND record_id = \(id) AND detail->>'reference' = \(reference)") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create' AND record_id = \(foundID) AND detail->>'via' = 'forensics'") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.event' AND record_id = \(firearmID) AND detail->>'event' = 'seized'") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.read' AND record_id = \(firearmID) AND detail->'query'->>'via' = 'forensics'") == 1)
            #expect(try await app.count("SELECT count(*) FROM seizure_versions WHERE seizure_id = \(id)::uuid") == 1)
        }
    }

    @Test("a firearm the registry shows destroyed is refused 409, and nothing of the seizure is written")
    func destroyedFirearmIsRefused() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "GONE-1"))
            let firearmID = try #require(firearm["id"] as? String)
            #expect(try await app.request(.post, "/v1/firearms/\(firearmID)/events", token: clerk,
                                          json: #"{"kind":"destroyed","occurred_on":"2024-01-01","certificate_number":"DC-1"}"#).status == .created)
            let refused = try await app.request(.post, "/v1/seizures", token: clerk,
                                                json: Self.seizure(firearms: #"[\#(Self.illicit),{"firearm_id":"\#(firearmID)"}]"#))
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(refused.isProblem)
            #expect((try refused.object["detail"] as? String)?.contains("destroyed") == true)
            #expect(try await app.count("SELECT count(*) FROM seizures") == 0)
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE record_origin = 'illicit'") == 0)
        }
    }

    @Test("seizure and registry writes share one transaction: a described firearm the registry holds already (409) leaves no seizure and no seized event")
    func nothingPartial() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let first = try #require(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "FIRST-1"))["id"] as? String)
            try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(make: "Taurus", serial: "TJU55123", calibre: "9x19mm"))
            let refused = try await app.request(.post, "/v1/seizures", token: clerk,
                                                json: Self.seizure(firearms: #"[{"firearm_id":"\#(first)"},\#(Self.illicit)]"#))
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(try refused.problemFields == ["firearms[1].description.serial"])
            #expect(try await app.count("SELECT count(*) FROM seizures") == 0)
            #expect(try await app.count("SELECT count(*) FROM firearm_events WHERE firearm_id = \(first)::uuid") == 0)
            #expect(try await app.request(.get, "/v1/firearms/\(first)", token: clerk).object["status"] as? String == "registered")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action IN ('seizure.create', 'firearm.event')") == 0)
        }
    }

    @Test("bad input is 422 naming each field: a future date, half a coordinate, a firearm both or neither, an unknown nested field, an unknown firearm")
    func badInput() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let future = CalendarDate(app.clock.now.addingTimeInterval(3 * 86400)).text
            let dated = try await app.request(.post, "/v1/seizures", token: clerk, json: Self.seizure(seizedOn: future))
            #expect(dated.status == .unprocessableContent)
            #expect(try dated.problemFields == ["seized_on"])
            let half = try await app.request(.post, "/v1/seizures", token: clerk,
                                             json: Self.seizure().replacingOccurrences(of: #""longitude":-76.85,"#, with: ""))
            #expect(try half.problemFields == ["longitude"])
            let both = try await app.request(.post, "/v1/seizures", token: clerk,
                                             json: Self.seizure(firearms: #"[{"firearm_id":"\#(UUID())","description":{"make":"X","type":"pistol","calibre":"9mm","serial":"A1"}},{}]"#))
            #expect(try both.problemFields == ["firearms[0]", "firearms[1]"])
            let nested = try await app.request(.post, "/v1/seizures", token: clerk,
                                               json: Self.seizure(firearms: #"[{"description":{"make":"X","type":"pistol","calibre":"9mm","serial":"A1","colour":"black"}}]"#))
            #expect(try nested.problemFields == ["firearms[0].description.colour"])
            let quantity = try await app.request(.post, "/v1/seizures", token: clerk,
                                                 json: Self.seizure().replacingOccurrences(of: #""quantity":500"#, with: #""quantity":0"#))
            #expect(try quantity.problemFields == ["ammunition[0].quantity"])
            let unknown = try await app.request(.post, "/v1/seizures", token: clerk, json: Self.seizure(firearms: #"[{"firearm_id":"\#(UUID())"}]"#))
            #expect(unknown.status == .unprocessableContent)
            #expect(try unknown.problemFields == ["firearms[0].firearm_id"])
            let context = try await app.request(.post, "/v1/seizures", token: clerk, json: Self.seizure(context: "harbour"))
            #expect(try context.problemFields == ["context"])
            #expect(try await app.count("SELECT count(*) FROM seizures") == 0)
        }
    }

    @Test("a correction needs If-Match (428, stale 412), makes a new version, keeps the old one in the history; firearms are not corrected here")
    func corrections() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let seizure = try await Self.create(app, clerk: clerk, Self.seizure())
            let path = "/v1/seizures/\(try #require(seizure["id"] as? String))"
            #expect(try await app.request(.patch, path, token: clerk, json: #"{"context":"inland"}"#).status == .preconditionRequired)
            #expect(try await app.request(.patch, path, token: clerk, json: #"{"context":"inland"}"#, headers: [.ifMatch: "\"7\""]).status == .preconditionFailed)
            let firearms = try await app.request(.patch, path, token: clerk, json: #"{"firearms":[]}"#, headers: [.ifMatch: "\"1\""])
            #expect(try firearms.problemFields == ["firearms"])
            let same = try await app.request(.patch, path, token: clerk, json: #"{"context":"port"}"#, headers: [.ifMatch: "\"1\""])
            #expect(try same.problemFields == ["body"])
            let changed = try await app.request(.patch, path, token: clerk, json: #"{"context":"inland","place":"Spanish Town"}"#, headers: [.ifMatch: "\"1\""])
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.headers[.eTag] == "\"2\"")
            #expect(try changed.object["place"] as? String == "Spanish Town")
            let analyst = try await app.token(roles: [.analyst])
            let history = try JSONSerialization.jsonObject(with: Data(buffer: try await app.request(.get, path + "/history", token: analyst).body)) as? [[String: Any]]
            #expect(history?.count == 2)
            #expect((history?.first?["record"] as? [String: Any])?["context"] as? String == "port")
            #expect((history?.last?["change"] as? String)?.contains("context") == true)
            #expect(try await app.request(.patch, path, token: analyst, json: #"{"context":"mail"}"#, headers: [.ifMatch: "\"2\""]).status == .forbidden)
        }
    }

    @Test("reads are audited: the list with its terms, filtered by context, country, dates and firearm; each record read")
    func listsAndReads() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let firearmID = try #require(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "LIST-1"))["id"] as? String)
            let port = try await Self.create(app, clerk: clerk, Self.seizure(firearms: #"[{"firearm_id":"\#(firearmID)"}]"#, seizedOn: "2025-01-10"))
            let inland = try await Self.create(app, clerk: clerk, Self.seizure(seizedOn: "2025-02-10", context: "inland"))
            let liaison = try await app.token(roles: [.liaison])
            let all = try await app.request(.get, "/v1/seizures?limit=1", token: liaison).object
            #expect((all["items"] as? [[String: Any]])?.first?["id"] as? String == inland["id"] as? String, "newest first")
            let cursor = try #require(all["next_cursor"] as? String)
            let next = try await app.request(.get, "/v1/seizures?limit=1&cursor=\(cursor)", token: liaison).object
            #expect((next["items"] as? [[String: Any]])?.first?["id"] as? String == port["id"] as? String)
            let byFirearm = try await app.request(.get, "/v1/seizures?firearm_id=\(firearmID)&context=port&country=JM&seized_from=2025-01-01&seized_to=2025-01-31", token: liaison).object
            #expect((byFirearm["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [port["id"] as? String])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'seizure.list' AND detail->'query'->>'firearm_id' = \(firearmID)") == 1)
            let id = try #require(port["id"] as? String)
            let one = try await app.request(.get, "/v1/seizures/\(id)", token: liaison)
            #expect(one.status == .ok)
            #expect(one.headers[.eTag] == "\"1\"")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'seizure.read' AND record_id = \(id)") == 1)
            #expect(try await app.request(.get, "/v1/seizures/\(UUID())", token: liaison).status == .notFound)
            #expect(try await app.request(.get, "/v1/seizures?seized_from=2025-13-01", token: liaison).status == .unprocessableContent)
        }
    }

    @Test("many seizures recorded at once through the live server: every one gets its own SZ reference, none twice")
    func referencesUnderConcurrency() async throws {
        try await withLiveTestApp(configure: { $0.poolSize = 8 }) { live in
            let clerk = try await live.app.token(roles: [.clerk])
            live.inFlight.resetPeak()
            let responses = try await live.atOnce((0..<24).map { _ in
                LiveTestApp.Request(method: .post, uri: "/v1/seizures", token: clerk, json: Self.seizure())
            })
            #expect(live.inFlight.peak > 1, "the server never handled two of the requests at the same time")
            #expect(responses.allSatisfy { $0.status == .created }, "\(responses.map(\.status))")
            let references = try responses.map { response -> String in
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body ?? ByteBuffer())) as? [String: Any]
                return try #require(object?["reference"] as? String)
            }
            #expect(Set(references).count == 24, "a reference was issued twice")
            #expect(try await live.app.count("SELECT count(DISTINCT reference) FROM seizures") == 24)
        }
    }
}
