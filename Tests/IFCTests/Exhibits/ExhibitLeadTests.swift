import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCServer
import IFCStore
import PostgresNIO
import Testing

/// Ballistic imaging: acquisitions, leads between exhibits of different cases, decisions in the
/// AFTE range, hits that need a verified comparison, and the clusters the hits make.
@Suite("Exhibits: imaging, leads and clusters")
struct ExhibitLeadTests {
    /// A case with one cartridge case in it: (case id, exhibit id).
    static func casing(_ app: TestApp, examiner: String, kind: String = "cartridge_case") async throws -> (String, String) {
        let caseID = try await ExhibitsTests.openCase(app, examiner: examiner)
        let exhibit = try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseID, kind: kind))
        return (caseID, try #require(exhibit["id"] as? String))
    }

    static func lead(_ app: TestApp, examiner: String, _ a: String, _ b: String, reference: String = "IBIS-\(UUID().uuidString.prefix(6))") async throws -> String {
        let response = try await app.request(.post, "/v1/leads", token: examiner,
                                             json: #"{"exhibit_a":"\#(a)","exhibit_b":"\#(b)","source_system":"ibis","source_reference":"\#(reference)","score":87.5}"#)
        #expect(response.status == .created, "\(response.text)")
        return try #require(try response.object["id"] as? String)
    }

    /// A comparison examination of `caseID` concluding identification, verified by a second examiner when `verified`.
    static func comparison(_ app: TestApp, caseID: String, examiner: String, verifier: String, verified: Bool = true) async throws -> String {
        let created = try await app.request(.post, "/v1/cases/\(caseID)/examinations", token: examiner,
                                            json: #"{"kind":"comparison","method":"comparison microscope","started_on":"2025-03-03","completed_on":"2025-03-04","afte_conclusion":"identification"}"#)
        #expect(created.status == .created, "\(created.text)")
        let id = try #require(try created.object["id"] as? String)
        if verified {
            let verification = try await app.request(.post, "/v1/examinations/\(id)/verification", token: verifier, json: "{}")
            #expect(verification.status == .ok, "\(verification.text)")
        }
        return id
    }

    static func identify(_ app: TestApp, _ lead: String, examination: String, as token: String) async throws -> TestResponse {
        try await app.request(.post, "/v1/leads/\(lead)/decision", token: token, json: #"{"decision":"identification","examination_id":"\#(examination)"}"#)
    }

    static func clusterCases(_ app: TestApp, _ caseID: String, as token: String) async throws -> Set<String> {
        let cluster = try await app.request(.get, "/v1/cases/\(caseID)/cluster", token: token)
        #expect(cluster.status == .ok, "\(cluster.text)")
        return Set((try cluster.object["cases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    @Test("an acquisition records system, network, date and reference; a firearm is not imaged; a future date is refused")
    func acquisitions() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let (caseID, casing) = try await Self.casing(app, examiner: examiner)
            let made = try await app.request(.post, "/v1/exhibits/\(casing)/acquisitions", token: examiner,
                                             json: #"{"system":"ibis","network":"regional","acquired_on":"2025-03-05","system_reference":"JM-IBIS-0001"}"#)
            #expect(made.status == .created, "\(made.text)")
            #expect(try await app.request(.post, "/v1/exhibits/\(casing)/acquisitions", token: examiner,
                                          json: #"{"system":"ibis","network":"regional","acquired_on":"2025-03-05","system_reference":"JM-IBIS-0001"}"#).status == .conflict)
            let tomorrow = CalendarDate(app.clock.now.addingTimeInterval(86400)).text
            #expect(try await app.request(.post, "/v1/exhibits/\(casing)/acquisitions", token: examiner,
                                          json: #"{"system":"evofinder","network":"interpol","acquired_on":"\#(tomorrow)","system_reference":"E-1"}"#).problemFields == ["acquired_on"])
            let pistol = try #require(try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseID, kind: "firearm"))["id"] as? String)
            #expect(try await app.request(.post, "/v1/exhibits/\(pistol)/acquisitions", token: examiner,
                                          json: #"{"system":"ibis","network":"national","acquired_on":"2025-03-05","system_reference":"X-2"}"#).problemFields == ["exhibit"])
            let listed = try await app.request(.get, "/v1/exhibits/\(casing)/acquisitions", token: try await app.token(roles: [.analyst]))
            #expect((try JSONSerialization.jsonObject(with: Data(buffer: listed.body)) as? [[String: Any]])?.count == 1)
        }
    }

    @Test("a lead links two cartridge cases or two bullets of different cases; a magazine, mixed kinds, one case or a repeated pair are refused")
    func leadRules() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let (caseA, a) = try await Self.casing(app, examiner: examiner)
            let (_, b) = try await Self.casing(app, examiner: examiner)
            let (_, bullet) = try await Self.casing(app, examiner: examiner, kind: "bullet")
            let sameCase = try #require(try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseA))["id"] as? String)
            let magazine = try #require(try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseA, kind: "magazine"))["id"] as? String)
            func refused(_ x: String, _ y: String) async throws -> [String] {
                let response = try await app.request(.post, "/v1/leads", token: examiner,
                                                     json: #"{"exhibit_a":"\#(x)","exhibit_b":"\#(y)","source_system":"ibis","source_reference":"R-1"}"#)
                #expect(response.status == .unprocessableContent, "\(response.text)")
                return try response.problemFields
            }
            #expect(try await refused(magazine, bullet) == ["exhibit_a"])
            #expect(try await refused(a, bullet) == ["exhibit_b"])
            #expect(try await refused(a, sameCase) == ["exhibit_b"])
            _ = try await Self.lead(app, examiner: examiner, a, b)
            let again = try await app.request(.post, "/v1/leads", token: examiner,
                                              json: #"{"exhibit_a":"\#(b)","exhibit_b":"\#(a)","source_system":"evofinder","source_reference":"R-2"}"#)
            #expect(again.status == .conflict)
            #expect(try await app.count("SELECT count(*) FROM exhibit_leads") == 1)
        }
    }

    @Test("a hit needs a verified comparison examination; other decisions need none; a decision is made once")
    func decisions() async throws {
        try await withTestApp { app in
            let first = try await app.token(roles: [.examiner])
            let second = try await app.token(roles: [.examiner])
            let (caseA, a) = try await Self.casing(app, examiner: first)
            let (_, b) = try await Self.casing(app, examiner: first)
            let (_, c) = try await Self.casing(app, examiner: first)
            let lead = try await Self.lead(app, examiner: first, a, b)
            let missing = try await app.request(.post, "/v1/leads/\(lead)/decision", token: first, json: #"{"decision":"identification"}"#)
            #expect(try missing.problemFields == ["examination_id"])
            let unverified = try await Self.comparison(app, caseID: caseA, examiner: first, verifier: second, verified: false)
            let refused = try await Self.identify(app, lead, examination: unverified, as: first)
            #expect(refused.status == .conflict)
            #expect(try refused.object["type"] as? String == "urn:ifcd:problem:unverified-comparison")
            #expect(try await app.request(.get, "/v1/leads/\(lead)", token: first).object["status"] as? String == "open")
            let verified = try await Self.comparison(app, caseID: caseA, examiner: first, verifier: second)
            let hit = try await Self.identify(app, lead, examination: verified, as: first)
            #expect(hit.status == .ok, "\(hit.text)")
            #expect(try hit.object["status"] as? String == "identification")
            #expect(try hit.object["examination_id"] as? String == verified)
            #expect(try await app.request(.post, "/v1/leads/\(lead)/decision", token: first, json: #"{"decision":"elimination"}"#).status == .conflict)
            let other = try await Self.lead(app, examiner: first, a, c)
            let inconclusive = try await app.request(.post, "/v1/leads/\(other)/decision", token: first, json: #"{"decision":"inconclusive","note":"insufficient marks"}"#)
            #expect(inconclusive.status == .ok, "\(inconclusive.text)")
            #expect(try await app.request(.post, "/v1/leads/\(other)/withdrawal", token: first, json: #"{"reason":"x"}"#).status == .conflict)
        }
    }

    @Test("clusters follow the current hits transitively, split when a hit is withdrawn, link a recovered firearm by its test-fire, and flag an elimination inside")
    func clusters() async throws {
        try await withTestApp { app in
            let first = try await app.token(roles: [.examiner])
            let second = try await app.token(roles: [.examiner])
            let analyst = try await app.token(roles: [.analyst])
            let (caseA, a) = try await Self.casing(app, examiner: first)
            let (caseB, b) = try await Self.casing(app, examiner: first)
            let (caseC, c) = try await Self.casing(app, examiner: first)
            let examinationA = try await Self.comparison(app, caseID: caseA, examiner: first, verifier: second)
            let examinationB = try await Self.comparison(app, caseID: caseB, examiner: first, verifier: second)
            let ab = try await Self.lead(app, examiner: first, a, b)
            let bc = try await Self.lead(app, examiner: first, b, c)
            #expect(try await Self.clusterCases(app, caseA, as: analyst) == [caseA])
            #expect(try await Self.identify(app, ab, examination: examinationA, as: first).status == .ok)
            #expect(try await Self.identify(app, bc, examination: examinationB, as: first).status == .ok)
            #expect(try await Self.clusterCases(app, caseA, as: analyst) == [caseA, caseB, caseC])
            #expect(try await Self.clusterCases(app, caseC, as: analyst) == [caseA, caseB, caseC])
            // A recovered firearm, test-fired, hit to the cluster.
            let (recovery, _) = try await Self.casing(app, examiner: first)
            let pistol = try #require(try await ExhibitsTests.create(app, examiner: first, ExhibitsTests.exhibit(case: recovery, kind: "firearm"))["id"] as? String)
            let testFire = try #require(try await ExhibitsTests.create(app, examiner: first, ExhibitsTests.exhibit(
                case: recovery, kind: "cartridge_case", extra: #","parent_id":"\#(pistol)","derivation":"test_fire""#))["id"] as? String)
            let fired = try await Self.lead(app, examiner: first, testFire, c)
            let examinationR = try await Self.comparison(app, caseID: recovery, examiner: first, verifier: second)
            #expect(try await Self.identify(app, fired, examination: examinationR, as: first).status == .ok)
            let cluster = try await app.request(.get, "/v1/cases/\(caseA)/cluster", token: analyst).object
            #expect(Set((cluster["cases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) == [caseA, caseB, caseC, recovery])
            #expect((cluster["hits"] as? [[String: Any]])?.count == 3)
            #expect((cluster["firearms"] as? [[String: Any]])?.compactMap { $0["exhibit_id"] as? String } == [pistol])
            #expect((cluster["exhibits"] as? [[String: Any]])?.count == 4)
            // An elimination between two exhibits of the cluster's cases is flagged.
            let a2 = try #require(try await ExhibitsTests.create(app, examiner: first, ExhibitsTests.exhibit(case: caseA))["id"] as? String)
            let contradicting = try await Self.lead(app, examiner: first, a2, c)
            let eliminated = try await app.request(.post, "/v1/leads/\(contradicting)/decision", token: first,
                                                   json: #"{"decision":"elimination","note":"different breech face marks"}"#)
            #expect(eliminated.status == .ok, "\(eliminated.text)")
            #expect(try eliminated.object["flagged_for_review"] as? Bool == true)
            let flagged = try await app.request(.get, "/v1/cases/\(caseA)/cluster", token: analyst).object["flagged_eliminations"] as? [[String: Any]]
            #expect(flagged?.compactMap { $0["id"] as? String } == [contradicting])
            // Withdrawing B–C splits the cluster: A–B on one side, C and the firearm's case on the other.
            let noReason = try await app.request(.post, "/v1/leads/\(bc)/withdrawal", token: first, json: #"{}"#)
            #expect(noReason.status == .unprocessableContent)
            let withdrawn = try await app.request(.post, "/v1/leads/\(bc)/withdrawal", token: first,
                                                  json: #"{"reason":"verification found the comparison images were of another exhibit"}"#)
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
            #expect(try await app.request(.post, "/v1/leads/\(bc)/withdrawal", token: first, json: #"{"reason":"again"}"#).status == .conflict)
            #expect(try await Self.clusterCases(app, caseA, as: analyst) == [caseA, caseB])
            #expect(try await Self.clusterCases(app, caseC, as: analyst) == [caseC, recovery])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'lead.withdraw' AND record_id = \(bc)") == 1)
        }
    }

    @Test("open leads, oldest first, with recovery→acquisition, acquisition→lead and lead→decision durations")
    func openQueue() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let (_, a) = try await Self.casing(app, examiner: examiner)
            let (_, b) = try await Self.casing(app, examiner: examiner)
            let (_, c) = try await Self.casing(app, examiner: examiner)
            for (exhibit, day) in [(a, "2025-03-05"), (b, "2025-03-09"), (c, "2025-03-04")] {
                #expect(try await app.request(.post, "/v1/exhibits/\(exhibit)/acquisitions", token: examiner,
                                              json: #"{"system":"ibis","network":"national","acquired_on":"\#(day)","system_reference":"N-\#(exhibit.prefix(8))"}"#).status == .created)
            }
            let older = try await Self.lead(app, examiner: examiner, a, b)
            // Tokens live 8 hours: a new one after each day passed.
            app.clock.advance(by: 2 * 86400)
            let later = try await app.token(roles: [.examiner])
            let newer = try await Self.lead(app, examiner: later, a, c)
            let decided = try await Self.lead(app, examiner: later, b, c)
            #expect(try await app.request(.post, "/v1/leads/\(decided)/decision", token: later, json: #"{"decision":"unsuitable"}"#).status == .ok)
            app.clock.advance(by: 86400)
            let queue = try await app.request(.get, "/v1/leads?status=open", token: try await app.token(roles: [.analyst])).object
            let items = try #require(queue["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? String } == [older, newer])
            // Exhibits received 2025-03-02; the later first acquisition of a and b is 2025-03-09.
            #expect(items[0]["recovery_to_acquisition_days"] as? Int == 7)
            let leadDay = CalendarDate(app.clock.now.addingTimeInterval(-3 * 86400))
            let expectedToLead = Int((leadDay.start.timeIntervalSince(CalendarDate("2025-03-09")!.start) / 86400).rounded())
            #expect(items[0]["acquisition_to_lead_days"] as? Int == expectedToLead)
            #expect(abs((items[0]["lead_to_decision_days"] as? Double ?? 0) - 3) < 0.05)
            #expect(abs((items[1]["lead_to_decision_days"] as? Double ?? 0) - 1) < 0.05)
        }
    }

    @Test("demo seed adds exhibits on the forensics sample's cases: test-fires, chains with a broken seal, leads, a three-case cluster linked to the revolver; once")
    func demoSeed() async throws {
        try await withTestApp { app in
            let first = try await app.token(roles: [.examiner])
            let second = try await app.token(roles: [.examiner])
            let analyst = try await app.token(roles: [.analyst])
            // What the forensics sample holds: three cases, one with a verified comparison identification.
            let shooting = try await ExhibitsTests.openCase(app, examiner: first)
            let scene1 = try await ExhibitsTests.openCase(app, examiner: first)
            _ = try await ExhibitsTests.openCase(app, examiner: first)
            _ = try await Self.comparison(app, caseID: shooting, examiner: first, verifier: second)
            var config = AppConfig()
            config.bcryptCost = 4
            let added = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(added.contains { $0.hasPrefix("exhibits: 8 exhibits") && $0.contains("three-case cluster") }, "\(added)")
            #expect(try await app.count("SELECT count(*) FROM exhibits WHERE derivation = 'test_fire'") == 2)
            #expect(try await app.count("SELECT count(*) FROM exhibits WHERE seal_broken") == 1)
            #expect(try await app.count("SELECT count(*) FROM exhibits WHERE status = 'in_transit'") == 1)
            #expect(try await app.count("SELECT count(*) FROM exhibits WHERE status = 'disposed'") == 1)
            #expect(try await app.count("SELECT count(*) FROM exhibit_leads WHERE status = 'open'") == 1)
            let cluster = try await app.request(.get, "/v1/cases/\(scene1)/cluster", token: analyst).object
            #expect((cluster["cases"] as? [[String: Any]])?.count == 3)
            #expect((cluster["firearms"] as? [[String: Any]])?.count == 1)
            let again = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(!again.contains { $0.hasPrefix("exhibits:") })
            #expect(try await app.count("SELECT count(*) FROM exhibits") == 8)
        }
    }
}
