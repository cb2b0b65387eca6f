import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// A firearm exhibit's disposition is the registry's too (issue 25): destroyed, returned to its
/// owner or confiscated appends the matching registry event in the same transaction (a destroyed
/// exhibit never leaves its firearm `seized`), and a destruction names its certificate and two
/// witnesses, other users than the one who records it.
@Suite("Exhibits: disposition of a firearm reaches the registry")
struct ExhibitDispositionTests {
    /// A registry firearm seized by a seizure, a case from that seizure, and the firearm taken in as
    /// an exhibit: (firearm id, exhibit id).
    static func seizedFirearmExhibit(_ app: TestApp, clerk: String, examiner: String, serial: String) async throws -> (String, String) {
        let firearm = try #require(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: serial))["id"] as? String)
        let seizure = try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure(firearms: #"[{"firearm_id":"\#(firearm)"}]"#))
        let seizureID = try #require(seizure["id"] as? String)
        #expect(try await app.request(.get, "/v1/firearms/\(firearm)", token: clerk).object["status"] as? String == "seized")
        let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner, ForensicsCaseTests.newCase(seizures: [seizureID])))
        let exhibit = try await ExhibitsTests.create(app, examiner: examiner,
                                                     ExhibitsTests.exhibit(case: caseID, kind: "firearm", extra: #","firearm_id":"\#(firearm)","seizure_id":"\#(seizureID)""#))
        return (firearm, try TracingTests.id(exhibit))
    }

    @Test("a destroyed firearm exhibit destroys its registry record in the same step, naming the order, certificate and witnesses; without two other witnesses or the certificate it is 422, and the table refuses it too")
    func destructionReachesTheRegistry() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner], username: "alice.lab")
            try await app.token(roles: [.examiner], username: "bob.lab")
            try await app.token(roles: [.analyst], username: "carol.lab")
            let (firearm, exhibit) = try await Self.seizedFirearmExhibit(app, clerk: clerk, examiner: examiner, serial: "DST1001")
            let today = CalendarDate(app.clock.now).text
            let path = "/v1/exhibits/\(exhibit)/disposition"
            func body(_ extra: String) -> String {
                #"{"disposition":"destroyed","authority":"Order of the Resident Magistrate, 2025/114","date":"\#(today)"\#(extra)}"#
            }
            #expect(Set(try await app.request(.post, path, token: examiner, json: body("")).problemFields) == ["witnesses", "certificate_number"])
            #expect(try await app.request(.post, path, token: examiner, json: body(#","certificate_number":"DC-7","witnesses":["alice.lab","bob.lab"]"#)).problemFields == ["witnesses"])
            #expect(try await app.request(.post, path, token: examiner, json: body(#","certificate_number":"DC-7","witnesses":["bob.lab","BOB.lab"]"#)).problemFields == ["witnesses"])
            #expect(try await app.request(.post, path, token: examiner, json: body(#","certificate_number":"DC-7","witnesses":["bob.lab","nobody.here"]"#)).problemFields == ["witnesses[1]"])
            #expect(try await app.request(.get, "/v1/firearms/\(firearm)", token: clerk).object["status"] as? String == "seized", "nothing written")

            let done = try await app.request(.post, path, token: examiner,
                                             json: body(#","certificate_number":"DC-7","certificate_standard":"crushing, lab procedure FA-9.2","witnesses":["bob.lab","carol.lab"]"#))
            #expect(done.status == .ok, "\(done.text)")
            #expect(try done.object["disposition"] as? String == "destroyed")
            #expect(try await app.request(.get, "/v1/firearms/\(firearm)", token: clerk).object["status"] as? String == "destroyed")
            let events = try ForensicsCaseTests.list(try await app.request(.get, "/v1/firearms/\(firearm)/events", token: clerk))
            let destroyed = try #require(events.last)
            #expect(destroyed["kind"] as? String == "destroyed")
            #expect((destroyed["notes"] as? String)?.contains("witnessed by bob.lab and carol.lab") == true)
            let custody = try await app.request(.get, "/v1/exhibits/\(exhibit)/custody", token: examiner).object
            let last = try #require((custody["entries"] as? [[String: Any]])?.last?["detail"] as? [String: Any])
            #expect(last["witness_1"] as? String == "bob.lab" && last["witness_2"] as? String == "carol.lab")
            #expect(last["certificate_number"] as? String == "DC-7")
            #expect(last["registry_event_id"] as? String == destroyed["id"] as? String)

            // The table refuses a destruction entry without its witnesses, whoever writes it.
            let (_, other) = try await Self.seizedFirearmExhibit(app, clerk: clerk, examiner: examiner, serial: "DST1002")
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("""
                        INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, recorded_by, custodian_kind, custodian, detail, at)
                        VALUES (\(UUID(uuidString: other)!), 2, 1, 'disposed', 'alice.lab', 'user', 'alice.lab',
                                '{"disposition":"destroyed","certificate_number":"DC-8","witness_1":"alice.lab","witness_2":"bob.lab"}', now())
                        """, logger: TestCluster.logger)
                }
            }
        }
    }

    @Test("a return to the owner or a confiscation appends the registry's event; one the registry refuses rolls the disposition back; a retained exhibit leaves the record seized")
    func otherDispositions() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let today = CalendarDate(app.clock.now).text
            let (returned, first) = try await Self.seizedFirearmExhibit(app, clerk: clerk, examiner: examiner, serial: "RTN2001")
            let back = try await app.request(.post, "/v1/exhibits/\(first)/disposition", token: examiner,
                                             json: #"{"disposition":"returned_to_owner","authority":"Order of the Parish Court, 2025/88","date":"\#(today)"}"#)
            #expect(back.status == .ok, "\(back.text)")
            #expect(try await app.request(.get, "/v1/firearms/\(returned)", token: clerk).object["status"] as? String == "registered")

            let (confiscated, second) = try await Self.seizedFirearmExhibit(app, clerk: clerk, examiner: examiner, serial: "CNF3001")
            let forfeited = try await app.request(.post, "/v1/exhibits/\(second)/disposition", token: examiner,
                                                  json: #"{"disposition":"confiscated","authority":"Forfeiture order, Supreme Court 2025/12","date":"\#(today)"}"#)
            #expect(forfeited.status == .ok, "\(forfeited.text)")
            #expect(try await app.request(.get, "/v1/firearms/\(confiscated)", token: clerk).object["status"] as? String == "confiscated")
            // Confiscated in the registry already: a second exhibit of it cannot be returned to its
            // owner; the refusal names the registry and nothing of the disposition is written.
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner))
            let again = try TracingTests.id(try await ExhibitsTests.create(app, examiner: examiner,
                                                                          ExhibitsTests.exhibit(case: caseID, kind: "firearm", extra: #","firearm_id":"\#(confiscated)""#)))
            let refused = try await app.request(.post, "/v1/exhibits/\(again)/disposition", token: examiner,
                                                json: #"{"disposition":"returned_to_owner","authority":"Order of the Parish Court","date":"\#(today)"}"#)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect((try refused.object["detail"] as? String)?.hasPrefix("the registry refuses") == true)
            #expect(try await app.request(.get, "/v1/exhibits/\(again)", token: examiner).object["status"] as? String == "held")

            let (kept, third) = try await Self.seizedFirearmExhibit(app, clerk: clerk, examiner: examiner, serial: "KPT4001")
            #expect(try await app.request(.post, "/v1/exhibits/\(third)/disposition", token: examiner,
                                          json: #"{"disposition":"retained","authority":"Lab order 7","date":"\#(today)","witnesses":["x"]}"#).problemFields == ["witnesses"])
            #expect(try await app.request(.post, "/v1/exhibits/\(third)/disposition", token: examiner,
                                          json: #"{"disposition":"retained","authority":"Lab order 7","date":"\#(today)"}"#).status == .ok)
            #expect(try await app.request(.get, "/v1/firearms/\(kept)", token: clerk).object["status"] as? String == "seized")
        }
    }
}
