import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
@testable import IFCTracing
import PostgresNIO
import Testing

/// Outgoing tracing requests (ITI section V): drafted, sent with the ITI minimum content,
/// acknowledged, answered, closed; legal review of personal data; follow-on and bulk traces;
/// answers and time-to-crime; the overdue reminder list.
@Suite("Tracing: outgoing requests")
struct TracingTests {
    /// The app's day `offset` days from now.
    static func day(_ app: TestApp, _ offset: Int) -> String {
        CalendarDate(app.clock.now.addingTimeInterval(Double(offset) * 86_400)).text
    }

    /// A complete outgoing request (everything the ITI asks for), with `extra` appended.
    static func complete(_ app: TestApp, deadline: String? = nil, addressee: String = #"{"kind":"state","country":"US","name":"ATF National Tracing Center"}"#,
                         channel: String = "etrace", extra: String = "") -> String {
        #"{"addressee":\#(addressee),"channel":"\#(channel)","requesting_officer":"Sgt. A. Williams","requesting_agency":"JCF Firearm Liaison Unit","firearm":{"make":"Smith & Wesson","model":"SD9VE","type":"pistol","calibre":"9x19mm","serial":"FWR1234","serial_part":"frame","marking_condition":"legible","import_markings":"none","photo_references":["IMG-0001"]},"circumstances":{"recovered_on":"2025-03-01","recovery_place":"Spanish Town","recovery_country":"JM","crime_type":"shooting"},"legal_basis":"Firearms (Prohibition, Restriction and Regulation) Act 2022, s. 88","illicit_nature":"recovered from a shooting scene; not in the national registry","intended_use":"criminal investigation and prosecution","urgency":"urgent","deadline":"\#(deadline ?? day(app, 30))","confidentiality":"restricted","restrictions":"law enforcement use only"\#(extra)}"#
    }

    static func create(_ app: TestApp, _ token: String, _ body: String) async throws -> [String: Any] {
        let response = try await app.request(.post, "/v1/traces", token: token, json: body)
        #expect(response.status == .created, "\(response.text)")
        return try response.object
    }

    static func id(_ object: [String: Any]) throws -> String { try #require(object["id"] as? String) }

    static func post(_ app: TestApp, _ token: String, _ path: String, _ json: String? = nil) async throws -> TestResponse {
        try await app.request(.post, path, token: token, json: json)
    }

    static let ack = #"{"kind":"acknowledgement","direction":"received","body":"Received, reference NTC-2026-1"}"#

    static func traced(sale: String = "2024-06-01", imported: String = "2024-02-01") -> String {
        #"{"kind":"answer","direction":"received","answer":{"outcome":"traced","transfers":[{"on":"2019-05-10","kind":"manufacture","to":"Smith & Wesson","country":"US"},{"on":"\#(imported)","kind":"import","from":"US","to":"Caribbean Arms","country":"JM"},{"on":"\#(sale)","kind":"retail_sale","from":"Gun Shop Inc","to":"J. Doe","country":"US"}],"last_lawful_holder":{"name":"J. Doe","country":"US","since":"\#(sale)"},"diversion_established":true,"diversion_how":"the purchaser reported the pistol stolen 2024-08-02"}}"#
    }

    @Test("a draft is edited with If-Match; send checks the ITI minimum content naming each missing field; then sent → acknowledged → answered → closed with who and when, out of order is 409")
    func lifecycle() async throws {
        try await withTestApp { app in
            let liaison = try await app.token(roles: [.liaison], username: "liaison1")
            let draft = try await Self.create(app, liaison, #"{"addressee":{"kind":"manufacturer","country":"US","name":"Smith & Wesson"},"channel":"bilateral","firearm":{"make":"Smith & Wesson","serial":"FWR1234"}}"#)
            let id = try Self.id(draft)
            let path = "/v1/traces/\(id)"
            let reference = try #require(draft["reference"] as? String)
            #expect(reference.range(of: "^TR-\(CalendarDate(app.clock.now).year)-[0-9]{6}$", options: .regularExpression) != nil)
            #expect(draft["status"] as? String == "draft")
            #expect(draft["direction"] as? String == "outgoing")
            #expect((draft["addressee"] as? [String: Any])?["kind"] as? String == "manufacturer")
            #expect(draft["channel"] as? String == "bilateral")
            #expect(draft["serial_normalized"] as? String == "FWR1234")
            // A draft takes no messages.
            #expect(try await Self.post(app, liaison, path + "/messages", Self.ack).status == .conflict)
            // Sending it now names every missing ITI field.
            let early = try await Self.post(app, liaison, path + "/send")
            #expect(early.status == .unprocessableContent)
            #expect(Set(try early.problemFields) == ["requesting_officer", "requesting_agency", "firearm.type", "firearm.calibre", "circumstances",
                                                      "legal_basis", "illicit_nature", "intended_use", "deadline"])
            #expect(try await app.request(.patch, path, token: liaison, json: #"{"channel":"etrace"}"#).status == .preconditionRequired)
            let full = Self.complete(app)
            let edited = try await app.request(.patch, path, token: liaison, json: full, headers: [.ifMatch: "\"1\""])
            #expect(edited.status == .ok, "\(edited.text)")
            #expect(edited.headers[.eTag] == "\"2\"")
            #expect(try await app.request(.patch, path, token: liaison, json: #"{"urgency":"routine"}"#, headers: [.ifMatch: "\"1\""]).status == .preconditionFailed)
            // The database refuses a sent request without the ITI content, whatever the code above it does.
            let other = try Self.id(try await Self.create(app, liaison, #"{"addressee":{"kind":"state","country":"US"},"channel":"iarms"}"#))
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner { try await $0.query("UPDATE traces SET status = 'sent', sent_by = 'x', sent_at = now() WHERE id = \(UUID(uuidString: other)!)", logger: TestCluster.logger) }
            }
            let sent = try await Self.post(app, liaison, path + "/send")
            #expect(sent.status == .ok, "\(sent.text)")
            let sentObject = try sent.object
            #expect(sentObject["status"] as? String == "sent")
            #expect((sentObject["sent"] as? [String: Any])?["by"] as? String == "liaison1")
            // Sent: no more edits, no second send, no close before an answer.
            #expect(try await app.request(.patch, path, token: liaison, json: #"{"urgency":"routine"}"#, headers: [.ifMatch: "\"3\""]).status == .conflict)
            #expect(try await Self.post(app, liaison, path + "/send").status == .conflict)
            #expect(try await Self.post(app, liaison, path + "/close").status == .conflict)
            // An answer before the acknowledgement of receipt is out of order.
            #expect(try await Self.post(app, liaison, path + "/messages", Self.traced()).status == .conflict)
            let info = try await Self.post(app, liaison, path + "/messages", #"{"kind":"information_request","direction":"received","body":"Please send photographs of the frame"}"#)
            #expect(info.status == .created, "\(info.text)")
            // The addressee's acknowledgement is received, not sent.
            let wrongWay = try await Self.post(app, liaison, path + "/messages", #"{"kind":"acknowledgement","direction":"sent","body":"x"}"#)
            #expect(try wrongWay.problemFields == ["direction"])
            #expect(try await Self.post(app, liaison, path + "/messages", Self.ack).status == .created)
            let acknowledged = try await app.request(.get, path, token: liaison).object
            #expect(acknowledged["status"] as? String == "acknowledged")
            #expect((acknowledged["acknowledged"] as? [String: Any])?["by"] as? String == "liaison1")
            #expect(try await Self.post(app, liaison, path + "/messages", Self.traced()).status == .created)
            #expect(try await Self.post(app, liaison, path + "/messages", Self.traced()).status == .conflict)
            let closed = try await Self.post(app, liaison, path + "/close")
            #expect(closed.status == .ok, "\(closed.text)")
            let final = try closed.object
            #expect(final["status"] as? String == "closed")
            #expect((final["closed"] as? [String: Any])?["by"] as? String == "liaison1")
            #expect(try await Self.post(app, liaison, path + "/messages", #"{"kind":"follow_up","direction":"sent","body":"thanks"}"#).status == .conflict)
            let analyst = try await app.token(roles: [.analyst])
            let history = try ForensicsCaseTests.list(try await app.request(.get, path + "/history", token: analyst))
            #expect(history.map { ($0["record"] as? [String: Any])?["status"] as? String } == ["draft", "draft", "sent", "acknowledged", "answered", "closed"])
            let messages = try ForensicsCaseTests.list(try await app.request(.get, path + "/messages", token: analyst))
            #expect(messages.map { $0["kind"] as? String } == ["information_request", "acknowledgement", "answer"])
            for action in ["trace.create", "trace.update", "trace.send", "trace.acknowledged", "trace.answered", "trace.close"] {
                #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = \(action) AND record_id = \(id)") == 1, "\(action)")
            }
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'trace.read' AND record_id = \(id)") >= 1)
            // Roles: analysts read, never write; clerks and examiners see nothing.
            #expect(try await Self.post(app, analyst, "/v1/traces", Self.complete(app)).status == .forbidden)
            let clerk = try await app.token(roles: [.clerk])
            #expect(try await app.request(.get, path, token: clerk).status == .forbidden)
        }
    }

    @Test("bad input: unknown country, a deadline in the past, a serial that normalises to nothing, a manufacturer without a name: 422 naming the field, nothing written")
    func badInput() async throws {
        try await withTestApp { app in
            let liaison = try await app.token(roles: [.liaison])
            let country = try await Self.post(app, liaison, "/v1/traces", Self.complete(app, addressee: #"{"kind":"state","country":"XX"}"#))
            #expect(country.status == .unprocessableContent)
            #expect(try country.problemFields == ["addressee.country"])
            let past = try await Self.post(app, liaison, "/v1/traces", Self.complete(app, deadline: Self.day(app, -1)))
            #expect(try past.problemFields == ["deadline"])
            let blankSerial = Self.complete(app).replacingOccurrences(of: #""serial":"FWR1234""#, with: #""serial":"--//--""#)
                .replacingOccurrences(of: #","import_markings":"none""#, with: "")
            #expect(try await Self.post(app, liaison, "/v1/traces", blankSerial).problemFields == ["firearm.serial"])
            let nameless = try await Self.post(app, liaison, "/v1/traces", Self.complete(app, addressee: #"{"kind":"importer","country":"TT"}"#))
            #expect(try nameless.problemFields == ["addressee.name"])
            let interpol = try await Self.post(app, liaison, "/v1/traces", Self.complete(app, addressee: #"{"kind":"interpol","country":"FR"}"#))
            #expect(try interpol.problemFields == ["addressee.kind"])
            let unknownLink = try await Self.post(app, liaison, "/v1/traces", Self.complete(app, extra: #","firearm_id":"\#(UUID())""#))
            #expect(try unknownLink.problemFields == ["firearm_id"])
            #expect(try await app.count("SELECT count(*) FROM traces") == 0)
        }
    }

    @Test("a possessor's personal data leaves only after a recorded legal review (who approved, when), checked at send and by the database")
    func legalReview() async throws {
        try await withTestApp { app in
            let liaison = try await app.token(roles: [.liaison], username: "liaison2")
            let body = Self.complete(app).replacingOccurrences(of: #""crime_type":"shooting""#,
                                                                with: #""crime_type":"shooting","possessor":{"name":"John Brown","date_of_birth":"1990-04-01","nationality":"JM"},"associates":[{"name":"Mark Green"}]"#)
            let created = try await Self.create(app, liaison, body)
            let id = try Self.id(created)
            #expect(created["personal_data"] as? Bool == true)
            let refused = try await Self.post(app, liaison, "/v1/traces/\(id)/send")
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.problemFields == ["legal_review"])
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner { try await $0.query("UPDATE traces SET status = 'sent', sent_by = 'x', sent_at = now() WHERE id = \(UUID(uuidString: id)!)", logger: TestCluster.logger) }
            }
            // The review is a lawyer's, in their own name: not the drafting liaison officer's, and no free-text approver.
            let lawyer = try await app.token(roles: [.legal], username: "counsel1")
            #expect(try await Self.post(app, liaison, "/v1/traces/\(id)/legal-review", #"{"note":"fine"}"#).status == .forbidden)
            let blank = try await Self.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"note":"  "}"#)
            #expect(try blank.problemFields == ["note"])
            #expect(try await Self.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"approved_by":"Legal Adviser"}"#).problemFields == ["approved_by"])
            let reviewed = try await Self.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"note":"ITI para 18; MLA treaty art. 4"}"#)
            #expect(reviewed.status == .ok, "\(reviewed.text)")
            let review = try #require(try reviewed.object["legal_review"] as? [String: Any])
            #expect(review["approved_by"] as? String == "counsel1")
            #expect(review["recorded_by"] as? String == "counsel1")
            #expect(review["recorded_at"] as? String != nil)
            #expect(try await Self.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"note":"again"}"#).status == .conflict)
            // A change to the personal data it approved clears the review: it is reviewed again before sending.
            let changed = body.replacingOccurrences(of: "Mark Green", with: "Mark Greene")
            let edited = try await app.request(.patch, "/v1/traces/\(id)", token: liaison, json: changed, headers: [.ifMatch: "\"2\""])
            #expect(edited.status == .ok, "\(edited.text)")
            #expect(try edited.object["legal_review"] is NSNull)
            #expect(try await Self.post(app, liaison, "/v1/traces/\(id)/send").problemFields == ["legal_review"])
            #expect(try await Self.post(app, lawyer, "/v1/traces/\(id)/legal-review", "{}").status == .ok)
            // Other edits keep it.
            let urgent = try await app.request(.patch, "/v1/traces/\(id)", token: liaison, json: #"{"urgency":"routine"}"#, headers: [.ifMatch: "\"4\""])
            #expect(try urgent.object["legal_review"] is [String: Any])
            #expect(try await Self.post(app, liaison, "/v1/traces/\(id)/send").status == .ok)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'trace.legal_review' AND record_id = \(id)") == 2)
        }
    }

    @Test("from a registry firearm or a seizure the description is copied (read through the read APIs, audited); a follow-on names its parent; bulk raises one trace per seized firearm")
    func linkedFollowOnAndBulk() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let liaison = try await app.token(roles: [.liaison])
            let glock = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "TRC-001"))
            let colt = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "TRC-002"))
            let glockID = try Self.id(glock), coltID = try Self.id(colt)
            let fromFirearm = try await Self.create(app, liaison, #"{"addressee":{"kind":"manufacturer","country":"AT","name":"Glock GmbH"},"channel":"iarms","firearm_id":"\#(glockID)"}"#)
            let copied = try #require(fromFirearm["firearm"] as? [String: Any])
            #expect(copied["make"] as? String == "Glock")
            #expect(copied["serial"] as? String == "TRC-001")
            #expect(copied["calibre"] as? String == "9x19mm")
            #expect(copied["country_of_manufacture"] as? String == "AT")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.read' AND record_id = \(glockID) AND detail->'query'->>'via' = 'tracing'") == 1)
            // A seizure with one registry firearm: its description and the seizure's date and place.
            let seizure = try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure(firearms: #"[{"firearm_id":"\#(glockID)"}]"#))
            let seizureID = try Self.id(seizure)
            let fromSeizure = try await Self.create(app, liaison, #"{"addressee":{"kind":"state","country":"AT"},"channel":"iarms","seizure_id":"\#(seizureID)"}"#)
            #expect(fromSeizure["firearm_id"] as? String == glockID)
            #expect((fromSeizure["firearm"] as? [String: Any])?["serial"] as? String == "TRC-001")
            let circumstances = try #require(fromSeizure["circumstances"] as? [String: Any])
            #expect(circumstances["recovered_on"] as? String == "2025-03-01")
            #expect(circumstances["recovery_country"] as? String == "JM")
            #expect(circumstances["recovery_place"] as? String == "Kingston Container Terminal")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'seizure.read' AND record_id = \(seizureID) AND detail->'query'->>'via' = 'tracing'") == 1)
            // Follow-on: the manufacturer's answer names an importer in a third country.
            let parentID = try Self.id(fromFirearm)
            let child = try await Self.create(app, liaison, #"{"addressee":{"kind":"importer","country":"TT","name":"Trinidad Arms Ltd"},"channel":"bilateral","firearm_id":"\#(glockID)","parent_id":"\#(parentID)"}"#)
            #expect(child["parent_id"] as? String == parentID)
            let childID = try Self.id(child)
            let itself = try await app.request(.patch, "/v1/traces/\(childID)", token: liaison, json: #"{"parent_id":"\#(childID)"}"#, headers: [.ifMatch: "\"1\""])
            #expect(try itself.problemFields == ["parent_id"])
            // Outgoing requests have no registry candidates.
            #expect(try await app.request(.get, "/v1/traces/\(childID)/matches", token: liaison).status == .conflict)
            let orphan = try await Self.post(app, liaison, "/v1/traces", #"{"addressee":{"kind":"state","country":"TT"},"channel":"bilateral","parent_id":"\#(UUID())"}"#)
            #expect(try orphan.problemFields == ["parent_id"])
            let document = try await app.request(.get, "/v1/traces/\(try Self.id(child))/document", token: liaison).object
            #expect(document["parent_reference"] as? String == fromFirearm["reference"] as? String)
            // Bulk: a seizure of two registry firearms raises two drafts at once, each to its state of manufacture.
            let pair = try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure(
                firearms: #"[{"firearm_id":"\#(coltID)"},{"firearm_id":"\#(try Self.id(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "TRC-003"))))"}]"#))
            let bulk = try await Self.post(app, liaison, "/v1/traces/bulk", #"{"seizure_id":"\#(try Self.id(pair))","channel":"iarms","legal_basis":"Firearms Act 2022","deadline":"\#(Self.day(app, 20))"}"#)
            #expect(bulk.status == .created, "\(bulk.text)")
            let traces = try ForensicsCaseTests.list(bulk)
            #expect(traces.count == 2)
            #expect(Set(traces.compactMap { ($0["firearm"] as? [String: Any])?["serial"] as? String }) == ["TRC-002", "TRC-003"])
            #expect(traces.allSatisfy { ($0["addressee"] as? [String: Any])?["country"] as? String == "AT" && $0["seizure_id"] as? String == (try? Self.id(pair)) })
            #expect(traces.allSatisfy { $0["legal_basis"] as? String == "Firearms Act 2022" && $0["status"] as? String == "draft" })
            let none = try await Self.post(app, liaison, "/v1/traces/bulk", #"{"seizure_id":"\#(UUID())","channel":"iarms"}"#)
            #expect(try none.problemFields == ["seizure_id"])
            #expect(try await app.count("SELECT count(*) FROM traces") == 5)
        }
    }

    /// Creates a complete request and sends it; returns its path.
    static func sent(_ app: TestApp, _ liaison: String, deadline: String, addressee: String = "US", channel: String = "etrace") async throws -> String {
        let id = try Self.id(try await Self.create(app, liaison, Self.complete(app, deadline: deadline, addressee: #"{"kind":"state","country":"\#(addressee)"}"#, channel: channel)))
        #expect(try await Self.post(app, liaison, "/v1/traces/\(id)/send").status == .ok)
        return "/v1/traces/\(id)"
    }

    @Test("the overdue list: past the deadline without an answer, oldest deadline first, filtered by addressee and channel")
    func overdue() async throws {
        try await withTestApp { app in
            let liaison = try await app.token(roles: [.liaison])
            let later = try await Self.sent(app, liaison, deadline: Self.day(app, 3))
            let sooner = try await Self.sent(app, liaison, deadline: Self.day(app, 1), addressee: "BR", channel: "iarms")
            let answered = try await Self.sent(app, liaison, deadline: Self.day(app, 2))
            let notYet = try await Self.sent(app, liaison, deadline: Self.day(app, 30))
            _ = try await Self.create(app, liaison, Self.complete(app, deadline: Self.day(app, 1)))  // a draft is never overdue
            #expect(try await Self.post(app, liaison, answered + "/messages", Self.ack).status == .created)
            #expect(try await Self.post(app, liaison, answered + "/messages", Self.traced()).status == .created)
            app.clock.advance(by: 5 * 86_400)
            let analyst = try await app.token(roles: [.analyst])
            let ids = { (response: TestResponse) throws -> [String] in
                ((try response.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.map { "/v1/traces/\($0)" }
            }
            #expect(try ids(try await app.request(.get, "/v1/traces?overdue=true", token: analyst)) == [sooner, later])
            #expect(try ids(try await app.request(.get, "/v1/traces?overdue=true&addressee=US", token: analyst)) == [later])
            #expect(try ids(try await app.request(.get, "/v1/traces?overdue=true&channel=iarms", token: analyst)) == [sooner])
            let paged = try await app.request(.get, "/v1/traces?overdue=true&limit=1", token: analyst).object
            let cursor = try #require(paged["next_cursor"] as? String)
            #expect(try ids(try await app.request(.get, "/v1/traces?overdue=true&limit=1&cursor=\(cursor)", token: analyst)) == [later])
            #expect(try ids(try await app.request(.get, "/v1/traces?status=answered", token: analyst)) == [answered])
            #expect(!(try ids(try await app.request(.get, "/v1/traces?overdue=true", token: analyst))).contains(notYet))
        }
    }

    @Test("answers: traced with the chain, last lawful holder and diversion, and time-to-crime; not traced with its reason; delayed and restricted with theirs")
    func answers() async throws {
        try await withTestApp { app in
            let liaison = try await app.token(roles: [.liaison])
            // Traced: sold 2024-06-01, recovered 2025-03-01: 273 days, under a year and under the 3-year threshold.
            let traced = try await Self.sent(app, liaison, deadline: Self.day(app, 10))
            #expect(try await Self.post(app, liaison, traced + "/messages", Self.ack).status == .created)
            let incomplete = try await Self.post(app, liaison, traced + "/messages", #"{"kind":"answer","direction":"received","answer":{"outcome":"traced","diversion_established":true}}"#)
            #expect(Set(try incomplete.problemFields) == ["answer.transfers", "answer.last_lawful_holder", "answer.diversion_how"])
            #expect(try await Self.post(app, liaison, traced + "/messages", Self.traced()).status == .created)
            let detail = try await app.request(.get, traced, token: liaison).object
            #expect(detail["status"] as? String == "answered")
            let answer = try #require(detail["answer"] as? [String: Any])
            #expect(answer["outcome"] as? String == "traced")
            #expect((answer["last_lawful_holder"] as? [String: Any])?["name"] as? String == "J. Doe")
            #expect(answer["diversion_established"] as? Bool == true)
            #expect((answer["transfers"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["manufacture", "import", "retail_sale"])
            let ttc = try #require(detail["time_to_crime"] as? [String: Any])
            #expect(ttc["days_from_first_retail_sale"] as? Int == 273)
            #expect(ttc["days_since_last_lawful_import"] as? Int == 394)
            #expect(ttc["under_threshold"] as? Bool == true)
            #expect(ttc["under_one_year"] as? Bool == true)
            #expect(ttc["threshold_years"] as? Int == 3)
            // A long time-to-crime is not flagged.
            let old = try await Self.sent(app, liaison, deadline: Self.day(app, 10))
            #expect(try await Self.post(app, liaison, old + "/messages", Self.ack).status == .created)
            #expect(try await Self.post(app, liaison, old + "/messages", Self.traced(sale: "2020-01-15", imported: "2019-11-01")).status == .created)
            let oldTTC = try #require(try await app.request(.get, old, token: liaison).object["time_to_crime"] as? [String: Any])
            #expect(oldTTC["days_from_first_retail_sale"] as? Int == 1872)
            #expect(oldTTC["under_threshold"] as? Bool == false)
            #expect(oldTTC["under_one_year"] as? Bool == false)
            // Not traced needs its reason.
            let notTraced = try await Self.sent(app, liaison, deadline: Self.day(app, 10))
            #expect(try await Self.post(app, liaison, notTraced + "/messages", Self.ack).status == .created)
            let noReason = try await Self.post(app, liaison, notTraced + "/messages", #"{"kind":"answer","direction":"received","answer":{"outcome":"not_traced"}}"#)
            #expect(try noReason.problemFields == ["answer.not_traced_reason"])
            let badReason = try await Self.post(app, liaison, notTraced + "/messages", #"{"kind":"answer","direction":"received","answer":{"outcome":"not_traced","not_traced_reason":"lost"}}"#)
            #expect(try badReason.problemFields == ["answer.not_traced_reason"])
            #expect(try await Self.post(app, liaison, notTraced + "/messages", #"{"kind":"answer","direction":"received","answer":{"outcome":"not_traced","not_traced_reason":"record_too_old"}}"#).status == .created)
            let notTracedDetail = try await app.request(.get, notTraced, token: liaison).object
            #expect(notTracedDetail["status"] as? String == "answered")
            #expect((notTracedDetail["answer"] as? [String: Any])?["not_traced_reason"] as? String == "record_too_old")
            #expect(notTracedDetail["time_to_crime"] is NSNull)
            // Delayed: the reason is required, and the request stays open; then restricted answers it.
            let delayed = try await Self.sent(app, liaison, deadline: Self.day(app, 10))
            #expect(try await Self.post(app, liaison, delayed + "/messages", Self.ack).status == .created)
            #expect(try await Self.post(app, liaison, delayed + "/messages", #"{"kind":"answer","direction":"received","answer":{"outcome":"delayed"}}"#).problemFields == ["answer.reason"])
            #expect(try await Self.post(app, liaison, delayed + "/messages", #"{"kind":"answer","direction":"received","answer":{"outcome":"delayed","reason":"dealer records being retrieved from archive"}}"#).status == .created)
            #expect(try await app.request(.get, delayed, token: liaison).object["status"] as? String == "acknowledged")
            #expect(try await Self.post(app, liaison, delayed + "/messages", #"{"kind":"answer","direction":"received","answer":{"outcome":"restricted","reason":"ongoing investigation in the requested state","transfers":[{"on":"2023-01-01","kind":"export","country":"US"}]}}"#).status == .created)
            let restricted = try await app.request(.get, delayed, token: liaison).object
            #expect(restricted["status"] as? String == "answered")
            #expect((restricted["answer"] as? [String: Any])?["outcome"] as? String == "restricted")
            #expect(try await app.count("SELECT count(*) FROM trace_messages WHERE kind = 'answer'") == 5)
        }
    }

    @Test("time-to-crime: the threshold is a setting (3 years by default); days from the first retail sale and since the last lawful import; unavailable (saying why) without a recovery date; none without a traced answer")
    func timeToCrimeRule() throws {
        let us = try #require(Country("US"))
        func day(_ text: String) throws -> CalendarDate { try #require(CalendarDate(text)) }
        let answer = TraceAnswer(outcome: .traced, transfers: [
            TransferStep(on: try day("2021-06-01"), kind: .import, from: nil, to: "Importer", country: us),
            TransferStep(on: try day("2022-01-01"), kind: .retailSale, from: "Dealer", to: "Buyer", country: us),
            TransferStep(on: try day("2022-05-01"), kind: .retailSale, from: "Buyer", to: "Second buyer", country: us)])
        #expect(TracingSettings().timeToCrimeYears == 3)
        let three = try #require(answer.timeToCrime(recoveredOn: try day("2024-01-01"), thresholdYears: 3))
        #expect(three.daysFromFirstRetailSale == 730)
        #expect(three.daysSinceLastLawfulImport == 944)
        #expect(three.underThreshold && !three.underOneYear)
        let one = try #require(answer.timeToCrime(recoveredOn: try day("2024-01-01"), thresholdYears: 1))
        #expect(!one.underThreshold && one.thresholdYears == 1)
        // Without a recovery date it says so rather than count from another date (issue 25).
        let unknown = try #require(answer.timeToCrime(recoveredOn: nil, thresholdYears: 3))
        #expect(unknown.daysFromFirstRetailSale == nil && unknown.unavailable != nil)
        #expect(TraceAnswer(outcome: .notTraced, notTracedReason: .noRecord).timeToCrime(recoveredOn: try day("2024-01-01"), thresholdYears: 3) == nil)
    }
}
