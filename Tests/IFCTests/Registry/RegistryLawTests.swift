import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCHTTP
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

/// The events the law adds, voiding, and back-captured timelines.
@Suite("Registry: events and timelines")
struct RegistryTimelineTests {
    /// A registered firearm's path, and a function posting an event to it.
    static func firearm(_ app: TestApp, clerk: String, extra: String = "") async throws -> (String, @Sendable (String) async throws -> TestResponse) {
        let created = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "TL\(UUID().uuidString.prefix(6))", extra: extra))
        let path = "/v1/firearms/\(created["id"] as! String)"
        return (path, { body in try await app.request(.post, path + "/events", token: clerk, json: body) })
    }

    static func status(_ response: TestResponse) throws -> String? {
        (try response.object["firearm"] as? [String: Any])?["status"] as? String
    }

    static func eventID(_ response: TestResponse) throws -> String {
        try #require((try response.object["event"] as? [String: Any])?["id"] as? String)
    }

    @Test("seized, then returned to its owner or confiscated and destroyed with a certificate; a return needs a seizure and an authority")
    func seizureOutcomes() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (_, post) = try await Self.firearm(app, clerk: clerk)
            let early = try await post(#"{"kind":"returned_to_owner","occurred_on":"2020-01-01","authority":"Resident Magistrate"}"#)
            #expect(early.status == .conflict, "only a seized firearm can be returned")
            #expect(try Self.status(try await post(#"{"kind":"seized","occurred_on":"2020-02-01"}"#)) == "seized")
            let noAuthority = try await post(#"{"kind":"returned_to_owner","occurred_on":"2020-03-01"}"#)
            #expect(try noAuthority.problemFields == ["authority"])
            #expect(try Self.status(try await post(#"{"kind":"returned_to_owner","occurred_on":"2020-03-01","authority":"Resident Magistrate"}"#)) == "registered")

            let (path, other) = try await Self.firearm(app, clerk: clerk)
            _ = try await other(#"{"kind":"seized","occurred_on":"2021-01-01"}"#)
            #expect(try Self.status(try await other(#"{"kind":"confiscated","occurred_on":"2021-06-01","authority":"Supreme Court"}"#)) == "confiscated")
            let destroyed = try await other(#"{"kind":"destroyed","occurred_on":"2021-07-01","certificate_number":"DC-77","certificate_standard":"national destruction order 2019","authority":"Police Armoury"}"#)
            #expect(try Self.status(destroyed) == "destroyed")
            let events = try JSONSerialization.jsonObject(with: Data(buffer: try await app.request(.get, path + "/events", token: clerk).body)) as? [[String: Any]]
            #expect(events?.last?["certificate_number"] as? String == "DC-77")
            #expect(try await other(#"{"kind":"found","occurred_on":"2021-08-01"}"#).status == .conflict, "nothing follows a destruction")
        }
    }

    @Test("a voided event stays readable and the status is recomputed without it; a voiding that breaks the timeline is refused naming the event")
    func voiding() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (path, post) = try await Self.firearm(app, clerk: clerk)
            let stolen = try await post(#"{"kind":"reported_stolen","occurred_on":"2022-01-01"}"#)
            let stolenID = try Self.eventID(stolen)
            #expect(try Self.status(stolen) == "stolen")
            let noReason = try await post(#"{"kind":"voided","occurred_on":"2022-01-05","voids_event_id":"\#(stolenID)"}"#)
            #expect(try noReason.problemFields == ["reason"])
            let voided = try await post(#"{"kind":"voided","occurred_on":"2022-01-05","voids_event_id":"\#(stolenID)","reason":"recorded against the wrong firearm"}"#)
            #expect(voided.status == .created, "\(voided.text)")
            #expect(try Self.status(voided) == "registered")
            let events = try #require(try JSONSerialization.jsonObject(with: Data(buffer: try await app.request(.get, path + "/events", token: clerk).body)) as? [[String: Any]])
            #expect(events.count == 2)
            #expect(events.first?["voided_by"] as? String == (try Self.eventID(voided)))
            #expect(try await post(#"{"kind":"voided","occurred_on":"2022-01-06","voids_event_id":"\#(stolenID)","reason":"again"}"#).status == .conflict)
            #expect(try await post(#"{"kind":"voided","occurred_on":"2022-01-06","voids_event_id":"\#(try Self.eventID(voided))","reason":"x"}"#).status == .conflict)
            #expect(try await post(#"{"kind":"voided","occurred_on":"2022-01-06","voids_event_id":"\#(UUID())","reason":"x"}"#).status == .unprocessableContent)

            // Lost, then recovered: voiding the loss leaves a recovery of a firearm that was never lost.
            let lost = try await post(#"{"kind":"reported_lost","occurred_on":"2023-01-01"}"#)
            let recovered = try await post(#"{"kind":"recovered","occurred_on":"2023-02-01"}"#)
            #expect(try Self.status(recovered) == "recovered")
            let breaking = try await post(#"{"kind":"voided","occurred_on":"2023-03-01","voids_event_id":"\#(try Self.eventID(lost))","reason":"x"}"#)
            #expect(breaking.status == .conflict)
            #expect(breaking.text.contains(try Self.eventID(recovered)), "\(breaking.text)")
            #expect(try await app.count("SELECT count(*) FROM firearm_events WHERE kind = 'voided'") == 1)
        }
    }

    @Test("a historical event may predate the latest one: the status follows the whole timeline; one that breaks it is refused naming where")
    func historicalBackCapture() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (_, post) = try await Self.firearm(app, clerk: clerk)
            _ = try await post(#"{"kind":"reported_lost","occurred_on":"2020-06-01"}"#)
            let unmarked = try await post(#"{"kind":"licensed","occurred_on":"2018-01-01"}"#)
            #expect(unmarked.status == .conflict, "without the mark, events stay in date order")
            let noSource = try await post(#"{"kind":"licensed","occurred_on":"2018-01-01","historical":true}"#)
            #expect(try noSource.problemFields == ["source_document"])
            let fits = try await post(#"{"kind":"licensed","occurred_on":"2018-01-01","historical":true,"source_document":"paper register 1998-2019, p. 44"}"#)
            #expect(fits.status == .created, "\(fits.text)")
            #expect(try Self.status(fits) == "lost", "the loss of 2020 still comes last")
            let breaks = try await post(#"{"kind":"destroyed","occurred_on":"2019-01-01","historical":true,"source_document":"armoury ledger"}"#)
            #expect(breaks.status == .conflict)
            #expect(breaks.text.contains("reported_lost"), "\(breaks.text)")
            #expect(try breaks.problemFields == ["occurred_on"])
        }
    }

    @Test("a conversion records the change of category and characteristics; converting to the same category is refused")
    func conversion() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (path, post) = try await Self.firearm(app, clerk: clerk, extra: #","category":"B""#)
            let same = try await post(#"{"kind":"converted","occurred_on":"2024-01-01","category_after":"B","authority":"Proof house"}"#)
            #expect(same.status == .unprocessableContent)
            #expect(try same.problemFields == ["category_after"])
            let converted = try await post(#"{"kind":"converted","occurred_on":"2024-01-01","conversion":"automatic_fire","category_after":"A","authority":"Forensic laboratory"}"#)
            #expect(converted.status == .created, "\(converted.text)")
            #expect((try converted.object["firearm"] as? [String: Any])?["category"] as? String == "A")
            #expect((try converted.object["event"] as? [String: Any])?["category_before"] as? String == "B")
            let voided = try await post(#"{"kind":"voided","occurred_on":"2024-01-02","voids_event_id":"\#(try Self.eventID(converted))","reason":"wrong firearm"}"#)
            #expect((try voided.object["firearm"] as? [String: Any])?["category"] as? String == "B", "voiding the conversion restores the category")
            let firearm = try await app.request(.get, path, token: clerk)
            #expect(try firearm.object["category"] as? String == "B")
        }
    }

    @Test("the new rules are rows of the transition table")
    func table() {
        #expect(EventKind.returnedToOwner.apply(to: .seized, transfer: nil) == .success(.registered))
        #expect(EventKind.confiscated.apply(to: .seized, transfer: nil) == .success(.confiscated))
        #expect(EventKind.found.apply(to: .registered, transfer: nil) == .success(.found))
        if case .success = EventKind.returnedToOwner.apply(to: .registered, transfer: nil) { Issue.record("returned without a seizure") }
        #expect(EventKind.destroyed.apply(to: .confiscated, transfer: nil) == .success(.destroyed))
    }
}

/// Transfers abroad, consignments, and licences that follow the firearms their holder holds.
@Suite("Registry: transfers and licences")
struct RegistryTransferTests {
    static let crossBorder = #"{"export_licence":{"number":"JM-EL-2024-17","issued_on":"2024-01-10","expires_on":"2024-12-31"},"import_licence":{"number":"TT-IL-88","issued_on":"2024-01-05"},"exporting_country":"JM","importing_country":"TT","transit_countries":["BB"],"foreign_party":"Port of Spain Arms Ltd","final_recipient":"Trinidad and Tobago Police Service"}"#

    @Test("a consignment exports many firearms in one transfer, each with its event; its delivery is verified once")
    func consignment() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            var ids: [String] = []
            for serial in ["CN1", "CN2", "CN3"] {
                ids.append(try #require(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: serial))["id"] as? String))
            }
            let list = ids.map { "\"\($0)\"" }.joined(separator: ",")
            let noLicence = try await app.request(.post, "/v1/consignments", token: clerk,
                                                  json: #"{"direction":"export","shipped_on":"2024-03-01","counterpart_country":"TT","cross_border":{"importing_country":"TT"},"firearm_ids":[\#(list)]}"#)
            #expect(noLicence.status == .unprocessableContent)
            #expect(Set(try noLicence.problemFields) == ["cross_border.export_licence", "cross_border.import_licence"])
            let created = try await app.request(.post, "/v1/consignments", token: clerk,
                                                json: #"{"direction":"export","shipped_on":"2024-03-01","counterpart_country":"TT","cross_border":\#(Self.crossBorder),"quantity":5,"firearm_ids":[\#(list)]}"#)
            #expect(created.status == .created, "\(created.text)")
            let consignment = try created.object
            #expect((consignment["reference"] as? String)?.hasPrefix("CS-") == true)
            #expect(consignment["quantity"] as? Int == 5)
            let id = try #require(consignment["id"] as? String)
            for firearmID in ids {
                let firearm = try await app.request(.get, "/v1/firearms/\(firearmID)", token: clerk)
                #expect(try firearm.object["status"] as? String == "exported")
                let events = try #require(try JSONSerialization.jsonObject(with: Data(buffer: try await app.request(.get, "/v1/firearms/\(firearmID)/events", token: clerk).body)) as? [[String: Any]])
                #expect(events.last?["consignment_id"] as? String == id)
                #expect((events.last?["cross_border"] as? [String: Any])?["final_recipient"] as? String == "Trinidad and Tobago Police Service")
            }
            // A firearm that cannot leave fails the whole consignment, naming it.
            let again = try await app.request(.post, "/v1/consignments", token: clerk,
                                              json: #"{"direction":"export","shipped_on":"2024-04-01","counterpart_country":"TT","cross_border":\#(Self.crossBorder),"firearm_ids":["\#(ids[0])"]}"#)
            #expect(again.status == .conflict)
            #expect(try again.problemFields == ["firearm_ids[0]"])
            let early = try await app.request(.post, "/v1/consignments/\(id)/delivery", token: clerk,
                                              json: #"{"verified_on":"2024-02-01","document":"TT customs receipt 4411"}"#, headers: [.ifMatch: "\"1\""])
            #expect(try early.problemFields == ["verified_on"])
            let verified = try await app.request(.post, "/v1/consignments/\(id)/delivery", token: clerk,
                                                 json: #"{"verified_on":"2024-03-09","document":"TT customs receipt 4411"}"#, headers: [.ifMatch: "\"1\""])
            #expect(verified.status == .ok, "\(verified.text)")
            #expect(try verified.object["delivery_verified_on"] as? String == "2024-03-09")
            let twice = try await app.request(.post, "/v1/consignments/\(id)/delivery", token: clerk,
                                              json: #"{"verified_on":"2024-03-10","document":"again"}"#, headers: [.ifMatch: "\"2\""])
            #expect(twice.status == .conflict)
            let history = try await app.request(.get, "/v1/consignments/\(id)/history", token: try await app.token(roles: [.analyst]))
            #expect((try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]])?.count == 2)
        }
    }

    @Test("a transfer ends the seller's licence cover for that firearm; voiding the transfer restores it; conditions are part of the licence")
    func coverEndsOnTransfer() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let (holder, firearms) = try await LicenceTests.setUp(app, clerk: clerk)
            // The firearms belong to the licence holder.
            for firearm in firearms {
                _ = try await app.request(.post, "/v1/firearms/\(firearm)/events", token: clerk,
                                          json: #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2023-01-01","counterpart_holder_id":"\#(holder)"}"#)
            }
            var body = LicenceTests.licence(holder: holder, firearms: firearms)
            body.removeLast()
            body += #","conditions":[{"kind":"storage","text":"locked safe bolted to the floor"},{"kind":"purpose","text":"sport shooting"}]}"#
            let licence = try await app.request(.post, "/v1/licences", token: clerk, json: body)
            #expect(licence.status == .created, "\(licence.text)")
            let licenceID = try #require(try licence.object["id"] as? String)
            #expect((try licence.object["conditions"] as? [[String: Any]])?.count == 2)
            let buyer = try await app.request(.post, "/v1/holders", token: clerk, json: #"{"kind":"person","name":"New Owner","country":"JM"}"#)
            let buyerID = try #require(try buyer.object["id"] as? String)
            let sold = try await app.request(.post, "/v1/firearms/\(firearms[0])/events", token: clerk,
                                             json: #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2024-06-01","counterpart_holder_id":"\#(buyerID)"}"#)
            #expect((try sold.object["event"] as? [String: Any])?["from_holder_id"] as? String == holder)
            let after = try await app.request(.get, "/v1/licences/\(licenceID)", token: clerk)
            #expect(try after.object["firearm_ids"] as? [String] == [firearms[1]])
            #expect((try after.object["ended_cover"] as? [[String: Any]])?.first?["ended_on"] as? String == "2024-06-01")
            let firearm = try await app.request(.get, "/v1/firearms/\(firearms[0])", token: clerk)
            #expect((try firearm.object["licences"] as? [Any])?.isEmpty == true, "the seller's licence no longer shows with the firearm")
            // Voided in error: the cover is back.
            let soldID = try #require((try sold.object["event"] as? [String: Any])?["id"] as? String)
            _ = try await app.request(.post, "/v1/firearms/\(firearms[0])/events", token: clerk,
                                      json: #"{"kind":"voided","occurred_on":"2024-06-02","voids_event_id":"\#(soldID)","reason":"sale fell through"}"#)
            let restored = try await app.request(.get, "/v1/licences/\(licenceID)", token: clerk)
            #expect(Set(try restored.object["firearm_ids"] as? [String] ?? []) == Set(firearms))
            // Conditions change with a new version.
            let changed = try await app.request(.patch, "/v1/licences/\(licenceID)", token: clerk,
                                                json: #"{"conditions":[{"kind":"carry","text":"concealed carry not permitted"}]}"#,
                                                headers: [.ifMatch: "\"1\""])
            #expect(changed.status == .ok, "\(changed.text)")
            let history = try await app.request(.get, "/v1/licences/\(licenceID)/history", token: clerk)
            let versions = try #require(try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]])
            #expect(versions.compactMap { (($0["record"] as? [String: Any])?["conditions"] as? [Any])?.count } == [2, 1])
            let badKind = try await app.request(.patch, "/v1/licences/\(licenceID)", token: clerk,
                                                json: #"{"conditions":[{"kind":"hunting","text":"x"}]}"#, headers: [.ifMatch: "\"2\""])
            #expect(try badKind.problemFields == ["conditions[0].kind"])
        }
    }
}

/// Another module writes into the registry only through its intake API, on its own transaction.
@Suite("Registry intake")
struct RegistryIntakeTests {
    struct Abort: Error {}

    @Test("an illicit find is recorded with its finding event on the caller's transaction, and rolls back with it")
    func illicitFind() async throws {
        try await withTestApp { app in
            let registry = Registry(ModuleContext(database: app.store, audit: app.parts.auditWriter, environment: .live))
            let intake = registry.intake(for: "forensics")
            let principal = Principal.cli(osUser: "examiner-test")
            let description = FirearmDescription(make: "unknown", type: .pistol, calibre: "9x19mm", serial: nil, stateMarking: "SZ-MARK-1",
                                                 markingCondition: .obliterated)
            let seized = NewEvent(kind: .seized, occurredOn: try #require(CalendarDate("2025-05-01")), place: "Port of Kingston")
            let firearm = try await app.store.transaction { connection in
                try await intake.recordIllicitFind(description, event: seized, by: principal, requestID: "t", on: connection)
            }
            #expect(firearm.recordOrigin == .illicit)
            #expect(firearm.status == .seized)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create' AND detail->>'via' = 'forensics'") == 1)
            // Rolled back with the caller's work: nothing is left behind.
            await #expect(throws: Abort.self) {
                try await app.store.transaction { connection in
                    _ = try await intake.recordIllicitFind(FirearmDescription(make: "unknown", type: .rifle, calibre: ".22 LR", serial: nil,
                                                                              stateMarking: "SZ-MARK-2", markingCondition: .unmarked),
                                                           event: seized, by: principal, requestID: "t", on: connection)
                    throw Abort()
                }
            }
            #expect(try await app.count("SELECT count(*) FROM firearms") == 1)
            // Only a finding event brings an illicit firearm into view.
            await #expect(throws: Problem.self) {
                try await app.store.transaction { connection in
                    _ = try await intake.recordIllicitFind(description, event: NewEvent(kind: .licensed, occurredOn: try #require(CalendarDate("2025-05-01"))),
                                                           by: principal, requestID: "t", on: connection)
                }
            }
        }
    }
}

/// Essential components with their own markings.
@Suite("Registry components")
struct RegistryComponentTests {
    @Test("a firearm lists its components; serial search covers component serials and says which part matched")
    func componentSearch() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "FRAME7788"))
            let id = try #require(firearm["id"] as? String)
            let slide = try await app.request(.post, "/v1/firearms/\(id)/components", token: clerk,
                                              json: #"{"part":"slide","make":"Glock","serial":"SLD-4411-Q"}"#)
            #expect(slide.status == .created, "\(slide.text)")
            #expect((try slide.object["reference"] as? String)?.hasPrefix("CO-") == true)
            let badPart = try await app.request(.post, "/v1/firearms/\(id)/components", token: clerk, json: #"{"part":"scope","serial":"X1"}"#)
            #expect(try badPart.problemFields == ["part"])
            let loose = try await app.request(.post, "/v1/components", token: clerk, json: #"{"part":"barrel","calibre":"9x19mm","serial":"SLD4412"}"#)
            #expect(loose.status == .created)
            let analyst = try await app.token(roles: [.analyst])
            let detail = try await app.request(.get, "/v1/firearms/\(id)", token: analyst)
            #expect((try detail.object["components"] as? [[String: Any]])?.first?["part"] as? String == "slide")
            let search = try await app.request(.get, "/v1/firearms/search?serial=SLD44*", token: analyst)
            #expect(search.status == .ok, "\(search.text)")
            let items = try #require(try search.object["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? String } == [id], "the firearm whose slide matched")
            let matches = try #require(try search.object["matches"] as? [[String: Any]])
            #expect(Set(matches.compactMap { $0["part"] as? String }) == ["slide", "barrel"])
            #expect(matches.first { $0["part"] as? String == "barrel" }?["firearm_id"] is NSNull, "a loose component is a match of its own")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'component.search'") == 2)
        }
    }

    @Test("a loose component has the lifecycle of a firearm: stolen, recovered, destroyed; a component of a firearm follows its firearm")
    func looseLifecycle() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let loose = try await app.request(.post, "/v1/components", token: clerk, json: #"{"part":"receiver","make":"Anderson","serial":"AM-15-0099"}"#)
            let id = try #require(try loose.object["id"] as? String)
            func post(_ body: String) async throws -> TestResponse { try await app.request(.post, "/v1/components/\(id)/events", token: clerk, json: body) }
            #expect(try await post(#"{"kind":"reported_stolen","occurred_on":"2024-01-01"}"#).status == .created)
            #expect(try await post(#"{"kind":"recovered","occurred_on":"2024-02-01","agency":"JCF"}"#).status == .created)
            #expect(try await post(#"{"kind":"recovered","occurred_on":"2024-02-02"}"#).status == .conflict)
            #expect(try await post(#"{"kind":"licensed","occurred_on":"2024-02-02"}"#).status == .unprocessableContent)
            #expect(try await post(#"{"kind":"destroyed","occurred_on":"2024-03-01"}"#).status == .created)
            let detail = try await app.request(.get, "/v1/components/\(id)", token: clerk)
            #expect(try detail.object["status"] as? String == "destroyed")
            #expect((try detail.object["events"] as? [Any])?.count == 3)
            let history = try await app.request(.get, "/v1/components/\(id)/history", token: clerk)
            #expect((try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [Any])?.count == 4)
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "HOST1"))
            let attached = try await app.request(.post, "/v1/firearms/\(firearm["id"] as! String)/components", token: clerk, json: #"{"part":"barrel","serial":"B-1"}"#)
            let attachedID = try #require(try attached.object["id"] as? String)
            #expect(try await app.request(.post, "/v1/components/\(attachedID)/events", token: clerk,
                                          json: #"{"kind":"reported_lost","occurred_on":"2024-01-01"}"#).status == .conflict)
        }
    }
}

/// Dealers and brokers keep a register of every firearm in and out.
@Suite("Registry dealer register")
struct RegistryDealerTests {
    @Test("a dealer's register lists every firearm in and out with dates and counterparties; after it ceases, nothing passes to it")
    func register() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            func holder(_ body: String) async throws -> String {
                try #require(try await app.request(.post, "/v1/holders", token: clerk, json: body).object["id"] as? String)
            }
            let dealer = try await holder(#"{"kind":"dealer","name":"Kingston Arms Ltd","country":"JM"}"#)
            let buyer = try await holder(#"{"kind":"person","name":"Ann Buyer","country":"JM"}"#)
            let seller = try await holder(#"{"kind":"person","name":"Sam Seller","country":"JM"}"#)
            let stock = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "STOCK1", extra: #","holder_id":"\#(dealer)""#))
            let traded = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "TRADE1", extra: #","holder_id":"\#(seller)""#))
            func transfer(_ firearm: [String: Any], to holder: String, on date: String) async throws -> TestResponse {
                try await app.request(.post, "/v1/firearms/\(firearm["id"] as! String)/events", token: clerk,
                                      json: #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"\#(date)","counterpart_holder_id":"\#(holder)"}"#)
            }
            _ = try await transfer(traded, to: dealer, on: "2024-01-10")
            _ = try await transfer(traded, to: buyer, on: "2024-02-20")
            _ = try await transfer(stock, to: buyer, on: "2024-03-05")
            let analyst = try await app.token(roles: [.analyst])
            let page = try await app.request(.get, "/v1/holders/\(dealer)/register", token: analyst)
            #expect(page.status == .ok, "\(page.text)")
            let entries = try #require(try page.object["items"] as? [[String: Any]])
            let lines = entries.map { "\($0["direction"] as? String ?? "") \($0["serial"] as? String ?? "") \($0["counterparty_name"] as? String ?? "-")" }
            #expect(lines.prefix(3) == ["in TRADE1 Sam Seller", "out TRADE1 Ann Buyer", "out STOCK1 Ann Buyer"], "\(lines)")
            #expect(lines.contains("in STOCK1 -"), "a firearm registered to the dealer is in its register")
            let notDealer = try await app.request(.get, "/v1/holders/\(buyer)/register", token: analyst)
            #expect(notDealer.status == .conflict)
            // Ceasing trade hands the register over: it stays readable, and nothing more passes to the dealer.
            let ceased = try await app.request(.post, "/v1/holders/\(dealer)/cease", token: clerk,
                                               json: #"{"ceased_on":"2024-06-30","authority":"Firearm Licensing Authority"}"#, headers: [.ifMatch: "\"1\""])
            #expect(ceased.status == .ok, "\(ceased.text)")
            #expect(try ceased.object["ceased_on"] as? String == "2024-06-30")
            #expect(try await transfer(traded, to: dealer, on: "2024-07-01").status == .conflict)
            #expect(try await app.request(.get, "/v1/holders/\(dealer)/register", token: analyst).status == .ok)
            let personCease = try await app.request(.post, "/v1/holders/\(buyer)/cease", token: clerk,
                                                    json: #"{"ceased_on":"2024-06-30","authority":"x"}"#, headers: [.ifMatch: "\"1\""])
            #expect(personCease.status == .conflict)
        }
    }
}

/// Records outlive destruction by the law's periods; past them, a person decides.
@Suite("Registry retention")
struct RegistryRetentionTests {
    @Test("a destroyed firearm is listed as due once its period has passed, per use; the decision is recorded and audited, nothing is deleted")
    func retentionDue() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let old = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "OLD1").replacingOccurrences(of: "2015", with: "1990"))
            let recent = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "NEW1"))
            let kept = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "KEEP1"))
            let oldID = try #require(old["id"] as? String), recentID = try #require(recent["id"] as? String)
            _ = try await app.request(.post, "/v1/firearms/\(oldID)/events", token: clerk, json: #"{"kind":"destroyed","occurred_on":"2012-05-01"}"#)
            _ = try await app.request(.post, "/v1/firearms/\(recentID)/events", token: clerk, json: #"{"kind":"destroyed","occurred_on":"2024-05-01"}"#)
            _ = kept
            let analyst = try await app.token(roles: [.analyst])
            func due(_ query: String) async throws -> [String] {
                let page = try await app.request(.get, "/v1/firearms?retention=due\(query)", token: analyst)
                return ((try page.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["serial"] as? String }
            }
            #expect(try await due("") == ["OLD1"], "10 years after destruction for licensing")
            #expect(try await due("&retention_use=law_enforcement") == [], "30 years for law enforcement")
            #expect(try await app.request(.get, "/v1/firearms?retention_use=licensing", token: analyst).status == .unprocessableContent)
            let early = try await app.request(.post, "/v1/firearms/\(recentID)/retention-decisions", token: clerk,
                                              json: #"{"use":"licensing","decision":"restrict_access","reason":"period passed"}"#)
            #expect(early.status == .conflict)
            let decided = try await app.request(.post, "/v1/firearms/\(oldID)/retention-decisions", token: clerk,
                                                json: #"{"use":"licensing","decision":"restrict_access","reason":"licensing period passed; kept for law enforcement"}"#)
            #expect(decided.status == .created, "\(decided.text)")
            #expect(try decided.object["due_on"] as? String == "2022-05-01")
            #expect(try await due("") == [], "decided: no longer due")
            #expect(try await app.request(.post, "/v1/firearms/\(oldID)/retention-decisions", token: clerk,
                                          json: #"{"use":"licensing","decision":"keep","reason":"again"}"#).status == .conflict)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.retention'") == 1)
            #expect(try await app.request(.get, "/v1/firearms/\(oldID)", token: analyst).status == .ok, "nothing is deleted")
        }
    }
}
