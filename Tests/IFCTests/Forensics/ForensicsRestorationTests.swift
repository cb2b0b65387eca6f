import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// Serial number restoration: recovered characters → the registry's pattern search → a
/// confirmed candidate linked to the case and marked restored in the registry.
@Suite("Forensics: serial restoration")
struct ForensicsRestorationTests {
    @Test("a restored partial serial finds its registry record (confusables on); confirming links the firearm and marks its marking restored with the method and case")
    func restorationFindsRecord() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let target = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(make: "Smith & Wesson", serial: "DVS4417", type: "revolver", calibre: ".38 Special"))
            try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(make: "Glock", serial: "XYZ9999"))
            let targetID = try #require(target["id"] as? String)
            let opened = try await ForensicsCaseTests.open(app, examiner: examiner)
            let casePath = "/v1/cases/\(try #require(opened["id"] as? String))"
            let created = try await app.request(.post, casePath + "/examinations", token: examiner,
                                                json: #"{"kind":"serial_number_restoration","method":"chemical etching (Fry's reagent)","part_examined":"frame","recovered_serial":"dv5?41?","started_on":"2025-03-03"}"#)
            #expect(created.status == .created, "\(created.text)")
            let examination = try created.object
            #expect(examination["recovered_serial"] as? String == "DV5?41?")
            let path = "/v1/examinations/\(try #require(examination["id"] as? String))"
            // Not yet searched: nothing to confirm.
            #expect(try await app.request(.post, path + "/confirmation", token: examiner, json: #"{"firearm_id":"\#(targetID)"}"#).status == .conflict)
            // The issue's contract path names the case; an examination of another case is not found there.
            let examinationID = try #require(examination["id"] as? String)
            #expect(try await app.request(.post, "/v1/cases/\(UUID())/examinations/\(examinationID)/registry-search", token: examiner).status == .notFound)
            let searched = try await app.request(.post, casePath + "/examinations/\(examinationID)/registry-search", token: examiner)
            #expect(searched.status == .ok, "\(searched.text)")
            let candidates = try #require(try searched.object["candidates"] as? [[String: Any]])
            // 5 read as S: the confusables find DVS4417.
            #expect(candidates.map { $0["firearm_id"] as? String } == [targetID])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.search' AND detail->'query'->>'via' = 'forensics' AND detail->'query'->>'confusables' = 'true'") == 1)
            let stranger = try await app.request(.post, path + "/confirmation", token: examiner, json: #"{"firearm_id":"\#(UUID())"}"#)
            #expect(try stranger.problemFields == ["firearm_id"])
            let confirmed = try await app.request(.post, path + "/confirmation", token: examiner, json: #"{"firearm_id":"\#(targetID)"}"#)
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            #expect(try confirmed.object["confirmed_firearm_id"] as? String == targetID)
            let firearm = try await app.request(.get, "/v1/firearms/\(targetID)", token: examiner).object
            #expect(firearm["marking_condition"] as? String == "restored")
            #expect(firearm["restoration_method"] as? String == "chemical etching (Fry's reagent)")
            #expect(firearm["restoration_case"] as? String == opened["reference"] as? String)
            // A clerk reads no cases, so the firearm's case reference is withheld from them (issue 24).
            let clerkView = try await app.request(.get, "/v1/firearms/\(targetID)", token: clerk).object
            #expect(clerkView["marking_condition"] as? String == "restored")
            #expect(clerkView["restoration_case"] is NSNull)
            let links = try ForensicsCaseTests.list(try await app.request(.get, casePath + "/links", token: examiner))
            #expect(links.map { $0["target_id"] as? String } == [targetID])
            #expect(try await app.request(.post, path + "/confirmation", token: examiner, json: #"{"firearm_id":"\#(targetID)"}"#).status == .conflict)
            // Searched and confirmed, the recovered serial stands.
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"recovered_serial":"DV5?4??"}"#, headers: [.ifMatch: "\"3\""]).status == .conflict)
            // A confirmation of a firearm the search did not find is refused by the table as well.
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE examinations SET confirmed_firearm_id = gen_random_uuid()", logger: TestCluster.logger)
                }
            }
        }
    }

    @Test("only a restoration with its recovered serial searches the registry (409 otherwise)")
    func searchNeedsRestoration() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let opened = try await ForensicsCaseTests.open(app, examiner: examiner)
            let casePath = "/v1/cases/\(try #require(opened["id"] as? String))"
            let other = try #require(try await app.request(.post, casePath + "/examinations", token: examiner, json: #"{"kind":"operability"}"#).object["id"] as? String)
            #expect(try await app.request(.post, "/v1/examinations/\(other)/registry-search", token: examiner).status == .conflict)
            let bare = try #require(try await app.request(.post, casePath + "/examinations", token: examiner, json: #"{"kind":"serial_number_restoration"}"#).object["id"] as? String)
            #expect(try await app.request(.post, "/v1/examinations/\(bare)/registry-search", token: examiner).status == .conflict)
        }
    }
}
