import Exhibits
import Forensics
import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCHTTP
import PostgresNIO
import Registry
import Testing

/// A trace drafted from a ballistic exhibit (ITI section V, issue 14: "creating one from … an
/// exhibit copies the description"): the exhibit is read through the exhibits read API.
@Suite("Tracing: drafts from an exhibit")
struct TracingExhibitTests {
    static func exhibit(case caseID: String, seizure: String, kind: String = "firearm", description: String, calibre: String,
                        firearm: String? = nil) -> String {
        let extra = #","seizure_id":"\#(seizure)""# + (firearm.map { #","firearm_id":"\#($0)""# } ?? "")
        return ExhibitsTests.exhibit(case: caseID, kind: kind, extra: extra)
            .replacingOccurrences(of: "fired 9mm cartridge case, scene marker 4", with: description)
            .replacingOccurrences(of: "\"calibre\":\"9x19mm\"", with: "\"calibre\":\"\(calibre)\"")
    }

    @Test("from an exhibit: its registry firearm's description, its calibre and description, its case and seizure are copied and the exhibit is linked; the read is audited via tracing; an unknown exhibit, ammunition, or links that are not the exhibit's are 422 naming exhibit_id, nothing written")
    func fromExhibit() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let liaison = try await app.token(roles: [.liaison])
            let glockID = try TracingTests.id(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "TRX-101")))
            let coltID = try TracingTests.id(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(make: "Colt", serial: "TRX-102")))
            let otherID = try TracingTests.id(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(make: "Beretta", serial: "TRX-103")))
            // Two seizures (a registry firearm is in one seizure at a time): the Glock with another, the Colt alone.
            let both = try TracingTests.id(try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure(
                firearms: #"[{"firearm_id":"\#(glockID)"},{"firearm_id":"\#(otherID)"}]"#)))
            let coltOnly = try TracingTests.id(try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure(
                firearms: #"[{"firearm_id":"\#(coltID)"}]"#)))
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner, ForensicsCaseTests.newCase(seizures: [both, coltOnly])))
            let pistol = try await ExhibitsTests.create(app, examiner: examiner, Self.exhibit(
                case: caseID, seizure: both, description: "semi-automatic pistol, recovered under the driver's seat", calibre: "9x19mm", firearm: glockID))
            let pistolID = try TracingTests.id(pistol)
            let addressee = #""addressee":{"kind":"manufacturer","country":"AT","name":"Glock GmbH"},"channel":"iarms""#
            try await LiaisonScopeTests.join(app, caseID: caseID, examiner: examiner, liaison: liaison)

            let created = try await TracingTests.create(app, liaison, #"{\#(addressee),"exhibit_id":"\#(pistolID)"}"#)
            #expect(created["exhibit_id"] as? String == pistolID)
            #expect(created["firearm_id"] as? String == glockID)
            #expect(created["case_id"] as? String == caseID)
            #expect(created["seizure_id"] as? String == both)
            let firearm = try #require(created["firearm"] as? [String: Any])
            #expect(firearm["make"] as? String == "Glock")
            #expect(firearm["serial"] as? String == "TRX-101")
            #expect(firearm["calibre"] as? String == "9x19mm")
            let description = try #require(firearm["description"] as? String)
            #expect(description.contains(try #require(pistol["reference"] as? String)))
            #expect(description.contains("semi-automatic pistol, recovered under the driver's seat"))
            let circumstances = try #require(created["circumstances"] as? [String: Any])
            #expect(circumstances["crime_type"] as? String == "shooting with intent")
            #expect(circumstances["recovery_place"] as? String == "Kingston Container Terminal")
            // Stored: the record read back names the exhibit.
            let traceID = try TracingTests.id(created)
            let read = try await app.request(.get, "/v1/traces/\(traceID)", token: liaison)
            #expect(try read.object["exhibit_id"] as? String == pistolID)
            #expect(try await app.count("SELECT count(*) FROM traces WHERE id = \(traceID)::uuid AND exhibit_id = \(pistolID)::uuid") == 1)
            // The printable document shows the exhibit's description with the firearm as found.
            let page = try await app.request(.get, "/v1/traces/\(traceID)/document", token: liaison, headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            #expect(page.text.contains("semi-automatic pistol, recovered under the driver&#39;s seat")
                    || page.text.contains("semi-automatic pistol, recovered under the driver's seat"), "\(page.text)")
            // The exhibit was read through the exhibits read API, audited as the liaison officer's, via tracing.
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'exhibit.read' AND record_type = 'exhibit' AND record_id = \(pistolID)
                  AND detail->'query'->>'via' = 'tracing' AND 'liaison' = ANY(roles)
                """) == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.read' AND record_id = \(glockID) AND detail->'query'->>'via' = 'tracing'") == 1)

            // An exhibit with no registry firearm: its calibre and description, and not the seizure's sole firearm.
            let revolver = try TracingTests.id(try await ExhibitsTests.create(app, examiner: examiner, Self.exhibit(
                case: caseID, seizure: coltOnly, description: "revolver, serial ground off", calibre: ".38 Special")))
            let unregistered = try await TracingTests.create(app, liaison, #"{"addressee":{"kind":"state","country":"US"},"channel":"etrace","exhibit_id":"\#(revolver)"}"#)
            #expect(unregistered["firearm_id"] is NSNull)
            #expect(unregistered["seizure_id"] as? String == coltOnly)
            let found = try #require(unregistered["firearm"] as? [String: Any])
            #expect(found["calibre"] as? String == ".38 Special")
            #expect(found["make"] is NSNull || found["make"] == nil)
            #expect((found["description"] as? String)?.contains("revolver, serial ground off") == true)

            // Refusals: 422 naming exhibit_id, nothing written.
            let cartridge = try TracingTests.id(try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseID)))
            let otherCase = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner))
            for body in [#"{\#(addressee),"exhibit_id":"\#(UUID().uuidString.lowercased())"}"#,
                         #"{\#(addressee),"exhibit_id":"\#(cartridge)"}"#,
                         #"{\#(addressee),"exhibit_id":"\#(pistolID)","case_id":"\#(otherCase)"}"#,
                         #"{\#(addressee),"exhibit_id":"\#(pistolID)","seizure_id":"\#(coltOnly)"}"#,
                         #"{\#(addressee),"exhibit_id":"\#(pistolID)","firearm_id":"\#(coltID)"}"#] {
                let refused = try await TracingTests.post(app, liaison, "/v1/traces", body)
                #expect(refused.status == .unprocessableContent, "\(body): \(refused.text)")
                #expect(try refused.problemFields == ["exhibit_id"], "\(body)")
            }
            #expect(try await app.count("SELECT count(*) FROM traces") == 2)
        }
    }

    @Test("a draft edited to name an exhibit takes its case, seizure and description")
    func draftEditedToNameExhibit() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let liaison = try await app.token(roles: [.liaison])
            let seizure = try TracingTests.id(try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure()))
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner, ForensicsCaseTests.newCase(seizures: [seizure])))
            let exhibit = try TracingTests.id(try await ExhibitsTests.create(app, examiner: examiner, Self.exhibit(
                case: caseID, seizure: seizure, kind: "part_or_component", description: "pistol slide, serial partly legible", calibre: "9x19mm")))
            try await LiaisonScopeTests.join(app, caseID: caseID, examiner: examiner, liaison: liaison)
            let draft = try await TracingTests.create(app, liaison, #"{"addressee":{"kind":"state","country":"US"},"channel":"etrace"}"#)
            let patched = try await app.request(.patch, "/v1/traces/\(try TracingTests.id(draft))", token: liaison,
                                                json: #"{"exhibit_id":"\#(exhibit)"}"#, headers: [.ifMatch: "\"1\""])
            #expect(patched.status == .ok, "\(patched.text)")
            let object = try patched.object
            #expect(object["exhibit_id"] as? String == exhibit)
            #expect(object["case_id"] as? String == caseID)
            #expect(object["seizure_id"] as? String == seizure)
            #expect(((object["firearm"] as? [String: Any])?["description"] as? String)?.contains("pistol slide, serial partly legible") == true)
        }
    }

    @Test("the exhibits read API: an exhibit by id or by reference, each read audited as the caller's with the reading module as via; unknown is nil")
    func readAPI() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let caseID = try await ExhibitsTests.openCase(app, examiner: examiner)
            let created = try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseID))
            let id = try #require(UUID(uuidString: try TracingTests.id(created)))
            let reference = try #require(created["reference"] as? String)
            let kit = ModuleContext(database: app.store, audit: app.parts.auditWriter, environment: .live)
            let registry = Registry(kit)
            let forensics = Forensics(kit, registry: registry.reader(for: "forensics"), intake: registry.intake(for: "forensics"),
                                      exhibits: CaseExhibitsForReport(kit), users: app.parts.accounts)
            let reader = Exhibits(kit, forensics: forensics.reader(for: "exhibits"), registry: registry.reader(for: "exhibits"),
                                  users: app.parts.accounts).reader(for: "reader-test")
            // Cleared to the restricted case the exhibit belongs to: the read API follows need-to-know.
            let principal = Principal(userID: nil, username: "cli:reader-test", roles: [.analyst], clearance: .restricted)
            #expect(try await reader.exhibit(id: id, by: principal, requestID: nil)?.reference == reference)
            #expect(try await reader.exhibit(reference: reference, by: principal, requestID: nil)?.id == id)
            #expect(try await reader.exhibit(id: UUID(), by: principal, requestID: nil) == nil)
            #expect(try await reader.exhibit(reference: "EX-1999-000001", by: principal, requestID: nil) == nil)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'exhibit.read' AND record_id = \(id.uuidString.lowercased())
                  AND detail->'query'->>'via' = 'reader-test'
                """) == 2)
        }
    }
}
