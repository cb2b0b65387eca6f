import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// Forensic cases: received from a submitting agency, moved through the lab, linked to what
/// they concern.
@Suite("Forensics: cases")
struct ForensicsCaseTests {
    static func newCase(seizures: [String] = [], extra: String = "") -> String {
        let ids = seizures.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"submitting_agency":"JCF Major Investigation Taskforce","officer":"Insp. Campbell","agency_case_number":"MIT-2025-114","offence":"shooting with intent","incident_on":"2025-02-20","incident_country":"JM","incident_place":"Spanish Town","received_on":"2025-03-02","confidentiality":"restricted","requested_examinations":["comparison","operability"],"seizure_ids":[\#(ids)]\#(extra)}"#
    }

    static func open(_ app: TestApp, examiner: String, _ body: String = newCase()) async throws -> [String: Any] {
        let response = try await app.request(.post, "/v1/cases", token: examiner, json: body)
        #expect(response.status == .created, "\(response.text)")
        return try response.object
    }

    static func list(_ response: TestResponse) throws -> [[String: Any]] {
        (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]) ?? []
    }

    @Test("an examiner receives a case from a seizure: FC-YYYY reference, received, audited; an unknown seizure is 422 naming it")
    func receivesCase() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let seizure = try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure())
            let seizureID = try #require(seizure["id"] as? String)
            let response = try await app.request(.post, "/v1/cases", token: examiner, json: Self.newCase(seizures: [seizureID]))
            #expect(response.status == .created, "\(response.text)")
            #expect(response.headers[.eTag] == "\"1\"")
            let opened = try response.object
            let reference = try #require(opened["reference"] as? String)
            #expect(reference.range(of: "^FC-\(CalendarDate(app.clock.now).year)-[0-9]{6}$", options: .regularExpression) != nil)
            #expect(opened["status"] as? String == "received")
            #expect(opened["confidentiality"] as? String == "restricted")
            #expect(opened["seizure_ids"] as? [String] == [seizureID])
            #expect(opened["requested_examinations"] as? [String] == ["comparison", "operability"])
            let id = try #require(opened["id"] as? String)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.create' AND record_id = \(id)") == 1)
            let analyst = try await app.token(roles: [.analyst])
            let bySeizure = try await app.request(.get, "/v1/cases?seizure_id=\(seizureID)&status=received", token: analyst).object
            #expect((bySeizure["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.list' AND detail->'query'->>'seizure_id' = \(seizureID)") == 1)
            let unknown = UUID().uuidString.lowercased()
            let refused = try await app.request(.post, "/v1/cases", token: examiner, json: Self.newCase(seizures: [seizureID, unknown]))
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.problemFields == ["seizure_ids[1]"])
            let late = try await app.request(.post, "/v1/cases", token: examiner,
                                             json: Self.newCase().replacingOccurrences(of: "2025-02-20", with: "2025-03-05"))
            #expect(try late.problemFields == ["incident_on"])
            let status = try await app.request(.post, "/v1/cases", token: examiner, json: Self.newCase(extra: #","status":"closed""#))
            #expect(try status.problemFields == ["status"])
            #expect(try await app.request(.get, "/v1/cases/\(id)", token: clerk).status == .forbidden)
        }
    }

    @Test("a case create answers the case byte for byte as it reads back; its version 1 holds it; its audit entry names its reference")
    func createAnswersStoredCase() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let created = try await app.request(.post, "/v1/cases", token: examiner, json: Self.newCase())
            #expect(created.status == .created, "\(created.text)")
            let opened = try created.object
            let id = try #require(opened["id"] as? String)
            let reference = try #require(opened["reference"] as? String)
            #expect(created.headers[.location] == "/v1/cases/\(id)")
            let read = try await app.request(.get, "/v1/cases/\(id)", token: examiner)
            #expect(created.text == read.text)
            #expect(created.headers[.eTag] == read.headers[.eTag])
            let history = try Self.list(try await app.request(.get, "/v1/cases/\(id)/history", token: examiner))
            #expect(history.count == 1)
            #expect(history.first?["change"] as? String == "received")
            #expect(NSDictionary(dictionary: history.first?["record"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: opened))
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'case.create' AND record_id = \(id) AND detail->>'reference' = \(reference)
                """) == 1)
        }
    }

    @Test("a case moves received → under examination → in review (by a review) → reported (by issuing its report) → closed with If-Match; a skipped or reversed step is 409; closed is final; history keeps each version")
    func statusAndHistory() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let opened = try await Self.open(app, examiner: examiner)
            let path = "/v1/cases/\(try #require(opened["id"] as? String))"
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"status":"under_examination"}"#).status == .preconditionRequired)
            let skipped = try await app.request(.patch, path, token: examiner, json: #"{"status":"reported"}"#, headers: [.ifMatch: "\"1\""])
            #expect(skipped.status == .conflict)
            #expect(skipped.isProblem)
            var version = 1
            for status in ["under_examination", "reported", "closed"] {
                if status == "reported" {
                    // A case becomes reported by issuing its report, after both reviews: the first review
                    // moves it to in_review, the issue to reported (two versions; issue 25).
                    try await ForensicsReportTests.issue(app, casePath: path, author: examiner)
                    version += 2
                    continue
                }
                let moved = try await app.request(.patch, path, token: examiner, json: #"{"status":"\#(status)"}"#, headers: [.ifMatch: "\"\(version)\""])
                #expect(moved.status == .ok, "\(status): \(moved.text)")
                version += 1
                #expect(moved.headers[.eTag] == "\"\(version)\"")
            }
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"offence":"murder"}"#, headers: [.ifMatch: "\"5\""]).status == .conflict)
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"offence":"murder"}"#, headers: [.ifMatch: "\"2\""]).status == .preconditionFailed)
            let liaison = try await app.token(roles: [.liaison])
            try await LiaisonScopeTests.join(app, caseID: String(path.split(separator: "/").last!), examiner: examiner, liaison: liaison)
            let history = try Self.list(try await app.request(.get, path + "/history", token: liaison))
            #expect(history.map { ($0["record"] as? [String: Any])?["status"] as? String } == ["received", "under_examination", "in_review", "reported", "closed"])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.update'") == 2)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.status' AND detail->>'to' = 'in_review'") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'report.issue'") == 1)
        }
    }

    @Test("links: a registry firearm (read through the registry's API), a seizure and another case, each with its reason; twice is 409, itself 422")
    func links() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let analyst = try await app.token(roles: [.analyst])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "LINK-1"))
            let firearmID = try #require(firearm["id"] as? String)
            let seizureID = try #require(try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure())["id"] as? String)
            let caseID = try #require(try await Self.open(app, examiner: examiner)["id"] as? String)
            let otherID = try #require(try await Self.open(app, examiner: examiner)["id"] as? String)
            let path = "/v1/cases/\(caseID)/links"
            for (kind, target) in [("firearm", firearmID), ("seizure", seizureID), ("case", otherID)] {
                let linked = try await app.request(.post, path, token: analyst, json: #"{"kind":"\#(kind)","target_id":"\#(target)","reason":"same suspect"}"#)
                #expect(linked.status == .created, "\(kind): \(linked.text)")
            }
            #expect(try await app.request(.post, path, token: examiner, json: #"{"kind":"seizure","target_id":"\#(seizureID)","reason":"again"}"#).status == .conflict)
            let itself = try await app.request(.post, path, token: examiner, json: #"{"kind":"case","target_id":"\#(caseID)","reason":"x"}"#)
            #expect(try itself.problemFields == ["target_id"])
            let unknown = try await app.request(.post, path, token: examiner, json: #"{"kind":"firearm","target_id":"\#(UUID())","reason":"x"}"#)
            #expect(try unknown.problemFields == ["target_id"])
            let blank = try await app.request(.post, path, token: examiner, json: #"{"kind":"case","target_id":"\#(otherID)","reason":"  "}"#)
            #expect(try blank.problemFields == ["reason"])
            let links = try Self.list(try await app.request(.get, path, token: analyst))
            #expect(links.map { $0["kind"] as? String } == ["firearm", "seizure", "case"])
            #expect(links.first?["target_reference"] as? String == firearm["reference"] as? String)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.link' AND record_id = \(caseID)") == 3)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.read' AND record_id = \(firearmID) AND detail->'query'->>'via' = 'forensics'") == 1)
            #expect(try await app.request(.post, path, token: clerk, json: #"{"kind":"case","target_id":"\#(otherID)","reason":"x"}"#).status == .forbidden)
        }
    }

    @Test("many cases received at once through the live server: every one gets its own FC reference, none twice")
    func referencesUnderConcurrency() async throws {
        try await withLiveTestApp(configure: { $0.poolSize = 8 }) { live in
            let examiner = try await live.app.token(roles: [.examiner])
            live.inFlight.resetPeak()
            let responses = try await live.atOnce((0..<24).map { _ in
                LiveTestApp.Request(method: .post, uri: "/v1/cases", token: examiner, json: Self.newCase())
            })
            #expect(live.inFlight.peak > 1, "the server never handled two of the requests at the same time")
            #expect(responses.allSatisfy { $0.status == .created }, "\(responses.map(\.status))")
            #expect(try await live.app.count("SELECT count(DISTINCT reference) FROM forensic_cases") == 24)
            #expect(try await live.app.count("SELECT count(*) FROM forensic_cases") == 24)
        }
    }
}
