import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCServer
import PostgresNIO
import Testing

/// Forensic reports (ISO/IEC 17025 §7.8): the draft with its required content, technical and
/// administrative reviews by examiners other than the author, issued versions frozen with their
/// SHA-256, amendments, and both forms (JSON and a print-ready page).
@Suite("Forensics: reports")
struct ForensicsReportTests {
    static func sha256(_ buffer: ByteBuffer) -> String {
        SHA256.hash(data: Data(buffer: buffer)).map { String(format: "%02x", $0) }.joined()
    }

    static func draftDigest(_ app: TestApp, casePath: String, token: String) async throws -> String {
        let draft = try await app.request(.get, casePath + "/report", token: token)
        #expect(draft.status == .ok, "\(draft.text)")
        return try #require(try draft.object["content_sha256"] as? String)
    }

    static func review(_ app: TestApp, casePath: String, token: String, kind: String, digest: String,
                       outcome: String = "approved") async throws -> TestResponse {
        try await app.request(.post, casePath + "/reviews", token: token,
                              json: #"{"kind":"\#(kind)","outcome":"\#(outcome)","content_sha256":"\#(digest)"\#(outcome == "returned" ? #","note":"say which items were test-fired""# : "")}"#)
    }

    /// Reviews the draft as it stands (two other examiners) and issues it as `author`.
    @discardableResult
    static func issue(_ app: TestApp, casePath: String, author: String, amending: Int? = nil) async throws -> [String: Any] {
        let digest = try await draftDigest(app, casePath: casePath, token: author)
        let technical = try await app.token(roles: [.examiner])
        let administrative = try await app.token(roles: [.examiner])
        #expect(try await review(app, casePath: casePath, token: technical, kind: "technical", digest: digest).status == .created)
        #expect(try await review(app, casePath: casePath, token: administrative, kind: "administrative", digest: digest).status == .created)
        let amendment = amending.map { #","replaces":\#($0),"amendment_reason":"the submitter corrected the offence""# } ?? ""
        let issued = try await app.request(.post, casePath + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"\#(amendment)}"#)
        #expect(issued.status == .created, "\(issued.text)")
        return try issued.object
    }

    /// A case under examination from a port seizure, with a verified identification, completed.
    static func examinedCase(_ app: TestApp, author: String) async throws -> String {
        let clerk = try await app.token(roles: [.clerk])
        let seizure = try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure())
        let opened = try await ForensicsCaseTests.open(app, examiner: author,
                                                       ForensicsCaseTests.newCase(seizures: [try #require(seizure["id"] as? String)]))
        let path = "/v1/cases/\(try #require(opened["id"] as? String))"
        let examination = try await app.request(.post, path + "/examinations", token: author,
                                                json: #"{"kind":"comparison","method":"comparison microscope, lab manual 5.1","requested_on":"2025-03-02","started_on":"2025-03-03","completed_on":"2025-03-04","afte_conclusion":"identification","result":"the cartridge cases were fired in the same firearm"}"#)
        let verifier = try await app.token(roles: [.examiner])
        let id = try #require(try examination.object["id"] as? String)
        #expect(try await app.request(.post, "/v1/examinations/\(id)/verification", token: verifier, json: "{}").status == .ok)
        // The examination started moved the case under examination (issue 25: the status follows the work).
        #expect(try await app.request(.get, path, token: author).object["status"] as? String == "under_examination")
        return path
    }

    @Test("the draft holds what ISO/IEC 17025 §7.8 asks, as JSON and as a print-ready A4 page with the case and report number on every page")
    func draftContent() async throws {
        try await withTestApp(configure: { $0.forensicsLaboratory = "IFC firearms laboratory, 2 Camp Road, Kingston" }) { app in
            let author = try await app.token(roles: [.examiner], username: "examiner-a")
            let path = try await Self.examinedCase(app, author: author)
            let analyst = try await app.token(roles: [.analyst])
            let draft = try await app.request(.get, path + "/report", token: analyst)
            #expect(draft.status == .ok, "\(draft.text)")
            let object = try draft.object
            #expect(object["status"] as? String == "draft")
            #expect(object["next_version"] as? Int == 1)
            let content = try #require(object["content"] as? [String: Any])
            #expect(content["laboratory"] as? String == "IFC firearms laboratory, 2 Camp Road, Kingston")
            #expect((content["submitter"] as? [String: Any])?["agency"] as? String == "JCF Major Investigation Taskforce")
            #expect(content["received_on"] as? String == "2025-03-02")
            #expect(content["examined_from"] as? String == "2025-03-03")
            #expect(content["examined_to"] as? String == "2025-03-04")
            #expect(content["statement"] as? String == "The results in this report relate only to the items examined, as they were received.")
            let items = try #require(content["items"] as? [[String: Any]])
            #expect(items.map { $0["kind"] as? String } == ["part", "ammunition"])
            #expect(items.last?["quantity"] as? Int == 500)
            let examinations = try #require(content["examinations"] as? [[String: Any]])
            #expect(examinations.first?["method"] as? String == "comparison microscope, lab manual 5.1")
            #expect(examinations.first?["afte_conclusion"] as? String == "identification")
            #expect(examinations.first?["verified_by"] as? String != nil)
            let reference = try #require(content["case_reference"] as? String)

            let page = try await app.request(.get, path + "/report", token: analyst, headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.text
            #expect(html.contains("size: A4"))
            #expect(html.contains(#"<div class="running-head"><span>Case \#(reference) · Report not yet numbered · DRAFT</span>"#))
            #expect(html.contains("DRAFT — not issued"))
            #expect(html.contains("The results in this report relate only to the items examined"))
            #expect(html.contains("IFC firearms laboratory, 2 Camp Road, Kingston"))
            #expect(html.contains("the cartridge cases were fired in the same firearm"))
            // Values are escaped, never markup.
            #expect(!html.contains("<script"))
            let xml = try await app.request(.get, path + "/report", token: analyst, headers: [.accept: "application/xml"])
            #expect(xml.status == .notAcceptable)
            #expect(xml.isProblem)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'report.read' AND detail->>'form' = 'draft'") == 2)
        }
    }

    @Test("a report is issued only after an approving technical and administrative review of that draft, each by an examiner other than the author; issuing freezes it with its SHA-256 and reports the case")
    func reviewsAndIssue() async throws {
        try await withTestApp { app in
            let author = try await app.token(roles: [.examiner], username: "examiner-a")
            let path = try await Self.examinedCase(app, author: author)
            let digest = try await Self.draftDigest(app, casePath: path, token: author)
            let none = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(none.status == .conflict)
            #expect(try none.object["type"] as? String == "urn:ifcd:problem:reviews-missing")
            #expect(try none.problemFields.sorted() == ["administrative_review", "technical_review"])
            // The author's own reviews do not count (an examiner of the case's work gives no technical
            // review at all); a returned review is not an approval.
            let ownTechnical = try await Self.review(app, casePath: path, token: author, kind: "technical", digest: digest)
            #expect(ownTechnical.status == .conflict)
            #expect(try ownTechnical.object["type"] as? String == "urn:ifcd:problem:technical-reviewer-not-independent")
            #expect(try await Self.review(app, casePath: path, token: author, kind: "administrative", digest: digest).status == .created)
            let other = try await app.token(roles: [.examiner], username: "examiner-b")
            #expect(try await Self.review(app, casePath: path, token: other, kind: "technical", digest: digest, outcome: "returned").status == .created)
            let own = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(try own.problemFields.sorted() == ["administrative_review", "technical_review"])
            let noNote = try await app.request(.post, path + "/reviews", token: other,
                                               json: #"{"kind":"technical","outcome":"returned","content_sha256":"\#(digest)"}"#)
            #expect(try noNote.problemFields == ["note"])
            let stale = try await Self.review(app, casePath: path, token: other, kind: "technical", digest: String(repeating: "0", count: 64))
            #expect(stale.status == .conflict)
            #expect(try stale.object["type"] as? String == "urn:ifcd:problem:report-changed")
            #expect(try await Self.review(app, casePath: path, token: other, kind: "technical", digest: digest).status == .created)
            let third = try await app.token(roles: [.examiner], username: "examiner-c")
            #expect(try await Self.review(app, casePath: path, token: third, kind: "administrative", digest: digest).status == .created)

            let issued = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(issued.status == .created, "\(issued.text)")
            let report = try issued.object
            let number = try #require(report["number"] as? String)
            #expect(number.range(of: "^LR-\(CalendarDate(app.clock.now).year)-[0-9]{6}$", options: .regularExpression) != nil)
            #expect(report["version"] as? Int == 1)
            #expect(report["authorised_by"] as? String == "examiner-a")
            #expect((report["technical_review"] as? [String: Any])?["reviewer"] as? String == "examiner-b")
            #expect((report["administrative_review"] as? [String: Any])?["reviewer"] as? String == "examiner-c")
            #expect(issued.headers[.location] == path + "/reports/1")
            #expect(try await app.request(.get, path, token: author).object["status"] as? String == "reported")

            let versions = try ForensicsCaseTests.list(try await app.request(.get, path + "/reports", token: author))
            #expect(versions.count == 1)
            let json = try await app.request(.get, path + "/reports/1", token: author)
            #expect(json.headers[.contentType] == "application/json")
            #expect(Self.sha256(json.body) == versions.first?["json_sha256"] as? String)
            #expect(json.body == issued.body)
            let digestHeader = "sha-256=:\(Data(SHA256.hash(data: Data(buffer: json.body))).base64EncodedString()):"
            #expect(json.headers[HTTPField.Name("Repr-Digest")!] == digestHeader)
            let page = try await app.request(.get, path + "/reports/1", token: author, headers: [.accept: "text/html;q=0.9, application/json;q=0.5"])
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(Self.sha256(page.body) == versions.first?["html_sha256"] as? String)
            let reference = try #require((report["content"] as? [String: Any])?["case_reference"] as? String)
            #expect(page.text.contains(#"<span>Case \#(reference) · Report \#(number) version 1</span>"#))
            #expect(page.text.contains("examiner-b"))
            #expect(!page.text.contains("DRAFT"))
            #expect(try await app.request(.get, path + "/reports/2", token: author).status == .notFound)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'report.issue' AND detail->>'number' = \(number)") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'report.review'") == 4)
        }
    }

    @Test("an amendment is a new version of the same number naming the one it replaces, with its reason and its own reviews; every version stays readable as issued; the table refuses changes and unreviewed rows")
    func amendments() async throws {
        try await withTestApp { app in
            let author = try await app.token(roles: [.examiner], username: "examiner-a")
            let path = try await Self.examinedCase(app, author: author)
            let first = try await Self.issue(app, casePath: path, author: author)
            let original = try await app.request(.get, path + "/reports/1", token: author, headers: [.accept: "text/html"])
            let current = try await app.request(.get, path, token: author)
            #expect(try await app.request(.patch, path, token: author, json: #"{"offence":"murder"}"#,
                                          headers: [.ifMatch: current.headers[.eTag] ?? ""]).status == .ok)
            let digest = try await Self.draftDigest(app, casePath: path, token: author)
            #expect(digest != first["content_sha256"] as? String)
            let unnamed = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(try unnamed.problemFields.sorted() == ["amendment_reason", "replaces"])
            // The reviews of version 1 do not cover the changed draft.
            let unreviewed = try await app.request(.post, path + "/reports", token: author,
                                                   json: #"{"content_sha256":"\#(digest)","replaces":1,"amendment_reason":"offence corrected"}"#)
            #expect(try unreviewed.object["type"] as? String == "urn:ifcd:problem:reviews-missing")
            let second = try await Self.issue(app, casePath: path, author: author, amending: 1)
            #expect(second["number"] as? String == first["number"] as? String)
            #expect(second["version"] as? Int == 2)
            #expect(second["replaces"] as? Int == 1)
            #expect(second["amendment_reason"] as? String == "the submitter corrected the offence")
            #expect((second["content"] as? [String: Any])?["offence"] as? String == "murder")
            let notLatest = try await app.request(.post, path + "/reports", token: author,
                                                  json: #"{"content_sha256":"\#(digest)","replaces":1,"amendment_reason":"again"}"#)
            #expect(try notLatest.object["type"] as? String == "urn:ifcd:problem:report-not-latest")
            let again = try await app.request(.get, path + "/reports/1", token: author, headers: [.accept: "text/html"])
            #expect(again.body == original.body)
            let amended = try await app.request(.get, path + "/reports/2", token: author, headers: [.accept: "text/html"])
            #expect(amended.text.contains("amends version 1"))
            #expect(amended.text.contains("the submitter corrected the offence"))
            let versions = try ForensicsCaseTests.list(try await app.request(.get, path + "/reports", token: author))
            #expect(versions.map { $0["version"] as? Int } == [1, 2])

            // The database holds the rules whatever the code above it does.
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner { _ = try await $0.query("UPDATE case_reports SET document_html = 'x'", logger: TestCluster.logger) }
            }
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner { _ = try await $0.query("DELETE FROM report_reviews", logger: TestCluster.logger) }
            }
            // A version whose reviewer is its author is refused by the table.
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("""
                        INSERT INTO case_reports (case_id, number, version, replaces, amendment_reason, author, technical_review_id,
                                                  administrative_review_id, content_sha256, document_json, json_sha256, document_html, html_sha256)
                        SELECT r.case_id, r.number, 3, 2, 'forged', t.reviewer, r.technical_review_id, r.administrative_review_id,
                               r.content_sha256, '{}', encode(sha256('{}'), 'hex'), 'x', encode(sha256('x'), 'hex')
                        FROM case_reports r JOIN report_reviews t ON t.id = r.technical_review_id WHERE r.version = 2
                        """, logger: TestCluster.logger)
                }
            }
            #expect(try await app.count("SELECT count(*) FROM case_reports") == 2)
        }
    }

    @Test("the report lists the case's exhibits with their condition and seal on receipt and their chain of custody, from the exhibits module; a custody step after review needs a new review")
    func exhibitsInReport() async throws {
        try await withTestApp { app in
            let author = try await app.token(roles: [.examiner], username: "examiner-a")
            let path = try await Self.examinedCase(app, author: author)
            let caseID = String(path.dropFirst("/v1/cases/".count))
            let exhibit = try await ExhibitsTests.create(app, examiner: author, ExhibitsTests.exhibit(case: caseID, barcode: "LAB-REPORT-1"))
            let reference = try #require(exhibit["reference"] as? String)
            let draft = try await app.request(.get, path + "/report", token: author)
            let exhibits = try #require((try draft.object["content"] as? [String: Any])?["exhibits"] as? [[String: Any]])
            #expect(exhibits.count == 1)
            #expect(exhibits.first?["reference"] as? String == reference)
            #expect(exhibits.first?["condition_on_receipt"] as? String == "sealed bag, intact")
            #expect((exhibits.first?["custody"] as? [[String: Any]])?.first?["event"] as? String == "intake")
            let page = try await app.request(.get, path + "/report", token: author, headers: [.accept: "text/html"]).text
            #expect(page.contains("Exhibits and their custody"))
            #expect(page.contains(reference))
            #expect(page.contains("sealed bag, intact"))
            // The exhibit moves after the draft was reviewed: the reviewed draft is not what would be issued.
            let digest = try await Self.draftDigest(app, casePath: path, token: author)
            let other = try await app.token(roles: [.examiner], username: "examiner-b")
            #expect(try await Self.review(app, casePath: path, token: other, kind: "technical", digest: digest).status == .created)
            let moved = try await app.request(.post, "/v1/exhibits/\(try #require(exhibit["id"] as? String))/transfers", token: author,
                                              json: #"{"to_location":"Ballistics vault B","purpose":"storage","seal_intact":true}"#)
            #expect(moved.status == .created, "\(moved.text)")
            #expect(try await Self.draftDigest(app, casePath: path, token: author) != digest)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'exhibit.list' AND detail->'query'->>'via' = 'forensics.report'") >= 3)
        }
    }

    @Test("no report while the case is only received or once it is closed; clerks read no report, analysts read but do not review or issue")
    func stagesAndRoles() async throws {
        try await withTestApp { app in
            let author = try await app.token(roles: [.examiner])
            let opened = try await ForensicsCaseTests.open(app, examiner: author)
            let path = "/v1/cases/\(try #require(opened["id"] as? String))"
            let digest = try await Self.draftDigest(app, casePath: path, token: author)
            let reviewer = try await app.token(roles: [.examiner])
            let early = try await Self.review(app, casePath: path, token: reviewer, kind: "technical", digest: digest)
            #expect(try early.object["type"] as? String == "urn:ifcd:problem:case-not-examined")
            let clerk = try await app.token(roles: [.clerk])
            let analyst = try await app.token(roles: [.analyst])
            #expect(try await app.request(.get, path + "/report", token: clerk).status == .forbidden)
            #expect(try await app.request(.get, path + "/report", token: analyst).status == .ok)
            #expect(try await Self.review(app, casePath: path, token: analyst, kind: "technical", digest: digest).status == .forbidden)
            #expect(try await app.request(.post, path + "/reports", token: analyst, json: #"{"content_sha256":"\#(digest)"}"#).status == .forbidden)
            #expect(try await app.request(.patch, path, token: author, json: #"{"status":"closed"}"#, headers: [.ifMatch: "\"1\""]).status == .ok)
            let closed = try await app.request(.post, path + "/reports", token: author, json: #"{"content_sha256":"\#(digest)"}"#)
            #expect(try closed.object["type"] as? String == "urn:ifcd:problem:case-closed")
            #expect(try await app.count("SELECT count(*) FROM case_reports") == 0)
        }
    }

}

@Suite("Forensics: demo sample")
struct ForensicsDemoTests {
    @Test("demo seed adds a port and an inland seizure, cases at each stage, a restored serial that finds its registry record, an issued and an amended report; once")
    func demoSeed() async throws {
        try await withTestApp { app in
            var config = AppConfig()
            config.bcryptCost = 4
            let seeded = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(seeded.contains("forensics: 2 seizures, 3 cases, 5 examinations, 1 restored serial found in the registry, 1 report issued and amended"),
                    "\(seeded)")
            let count = { (sql: PostgresQuery) in try await app.count(sql) }
            #expect(try await count("SELECT count(DISTINCT context) FROM seizures WHERE context IN ('port', 'inland')") == 2)
            #expect(try await count("SELECT count(DISTINCT status) FROM forensic_cases") == 3)
            #expect(try await count("SELECT count(*) FROM case_reports WHERE replaces = 1") == 1)
            #expect(try await count("""
                SELECT count(*) FROM examinations e JOIN firearms f ON f.id = e.confirmed_firearm_id
                WHERE f.serial_marked = 'DLR101JM' AND f.marking_condition = 'restored'
                """) == 1)
            #expect(try await count("SELECT count(*) FROM examinations WHERE verified_by IS NOT NULL") == 1)
            let again = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(again.isEmpty)
            #expect(try await count("SELECT count(*) FROM seizures") == 2)
        }
    }
}
