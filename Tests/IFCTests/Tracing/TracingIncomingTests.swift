import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCServer
import PostgresNIO
import Testing

/// Incoming tracing requests: matched against the registry on arrival (exact, confusable,
/// partial, misread and missing characters, component serials), answered from the registry's
/// history; and the registry's fuzzy serial search they use.
@Suite("Tracing: incoming requests and fuzzy search")
struct TracingIncomingTests {
    static func incoming(serial: String, make: String = "glock", extra: String = "") -> String {
        #"{"requesting_state":"TT","channel":"iarms","foreign_reference":"TTPS-FIB-2026-0042","requesting_agency":"Trinidad and Tobago Police Service","requesting_officer":"Insp. R. Mohammed","firearm":{"make":"\#(make)","type":"pistol","calibre":"9x19mm","serial":"\#(serial)","serial_part":"slide"},"circumstances":{"recovered_on":"2025-02-11","recovery_place":"Port of Spain","recovery_country":"TT","crime_type":"murder"},"legal_basis":"Mutual Legal Assistance in Criminal Matters Act","illicit_nature":"recovered at a murder scene","intended_use":"criminal investigation"\#(extra)}"#
    }

    /// The registry: an exact serial, a confusable one, a misread, a missing and a transposed
    /// character, an unrelated one, and a loose slide one character off.
    static func seedRegistry(_ app: TestApp, clerk: String) async throws {
        for serial in ["ABC12345", "A8C1Z345", "ABC12845", "ABC1245", "ABC12354", "XYZ98765"] {
            try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: serial))
        }
        let slide = try await app.request(.post, "/v1/components", token: clerk, json: #"{"part":"slide","make":"Glock","serial":"ABC-12346"}"#)
        #expect(slide.status == .created, "\(slide.text)")
    }

    static func matches(_ response: TestResponse) throws -> [[String: Any]] {
        try ForensicsCaseTests.list(response)
    }

    @Test("fuzzy=true finds serials one or two edits away, below the exact match, with the distance, narrowed by make; it uses the index, not a scan")
    func fuzzySearch() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            try await Self.seedRegistry(app, clerk: clerk)
            let analyst = try await app.token(roles: [.analyst])
            let plain = try await app.request(.get, "/v1/firearms/search?serial=ABC12345", token: analyst).object
            #expect((plain["matches"] as? [[String: Any]])?.map { $0["serial_normalized"] as? String } == ["ABC12345"])
            let fuzzy = try await app.request(.get, "/v1/firearms/search?serial=ABC12345&fuzzy=true", token: analyst)
            #expect(fuzzy.status == .ok, "\(fuzzy.text)")
            let found = try #require(try fuzzy.object["matches"] as? [[String: Any]])
            #expect(found.first?["match"] as? String == "exact")
            #expect(found.first?["distance"] is NSNull)
            let distances = Dictionary(found.dropFirst().map { ($0["serial_normalized"] as? String ?? "", $0["distance"] as? Int ?? 0) }, uniquingKeysWith: { a, _ in a })
            #expect(distances == ["ABC12845": 1, "ABC1245": 1, "ABC12354": 2, "ABC12346": 1], "\(distances)")
            #expect(found.dropFirst().allSatisfy { $0["match"] as? String == "fuzzy" })
            let firearmDistances = found.dropFirst().filter { $0["part"] as? String == "firearm" }.compactMap { $0["distance"] as? Int }
            #expect(firearmDistances == firearmDistances.sorted(), "nearest first")
            #expect(found.contains { $0["part"] as? String == "slide" && $0["component_id"] as? String != nil })
            // With confusables, A8C1Z345 reads as ABC12345: a confusable match, above the fuzzy ones.
            let folded = try #require(try await app.request(.get, "/v1/firearms/search?serial=ABC12345&fuzzy=true&confusables=true", token: analyst).object["matches"] as? [[String: Any]])
            #expect(folded.prefix(2).map { $0["match"] as? String } == ["exact", "confusable"])
            #expect(folded.dropFirst(2).allSatisfy { $0["match"] as? String == "fuzzy" })
            let narrowed = try await app.request(.get, "/v1/firearms/search?serial=ABC12345&fuzzy=true&make=Colt", token: analyst).object
            #expect((narrowed["matches"] as? [[String: Any]])?.map { $0["serial_normalized"] as? String } == ["ABC12345"])
            #expect(try await app.request(.get, "/v1/firearms/search?serial=ABC12345&fuzzy=maybe", token: analyst).status == .unprocessableContent)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.search' AND detail->'query'->>'fuzzy' = 'true'") >= 5)
            // The candidates come from the trigram index.
            let plan = try await app.database.asOwner { connection in
                try await connection.query("SET enable_seqscan = off", logger: TestCluster.logger)
                try await connection.query("SELECT set_config('pg_trgm.similarity_threshold', '0.25', false)", logger: TestCluster.logger)
                var lines: [String] = []
                for try await line in try await connection.query("EXPLAIN SELECT id FROM firearms WHERE serial_normalized % 'ABC12345' AND levenshtein_less_equal(serial_normalized, 'ABC12345', 2) <= 2", logger: TestCluster.logger).decode(String.self) {
                    lines.append(line)
                }
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("firearms_serial_trgm"), "\(plan)")
        }
    }

    @Test("an incoming request is acknowledged and matched on arrival: exact, confusable, misread, missing and transposed characters and a component serial, scored with why; a partial serial by pattern")
    func matching() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            try await Self.seedRegistry(app, clerk: clerk)
            let liaison = try await app.token(roles: [.liaison], username: "focal")
            let received = try await app.request(.post, "/v1/traces/incoming", token: liaison, json: Self.incoming(serial: "abc 12345"))
            #expect(received.status == .created, "\(received.text)")
            let result = try received.object
            let trace = try #require(result["trace"] as? [String: Any])
            let id = try #require(trace["id"] as? String)
            #expect(trace["direction"] as? String == "incoming")
            #expect(trace["status"] as? String == "acknowledged")
            #expect(trace["requesting_state"] as? String == "TT")
            #expect((trace["acknowledged"] as? [String: Any])?["by"] as? String == "focal")
            #expect((result["matches"] as? [[String: Any]])?.count == 6)
            let analyst = try await app.token(roles: [.analyst])
            let listed = try Self.matches(try await app.request(.get, "/v1/traces/\(id)/matches", token: analyst))
            let bySerial = Dictionary(listed.map { ($0["serial_normalized"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            #expect(listed.first?["serial_normalized"] as? String == "ABC12345")
            #expect(bySerial["ABC12345"]?["match"] as? String == "exact")
            #expect(bySerial["ABC12345"]?["score"] as? Int == 100)
            #expect((bySerial["ABC12345"]?["reasons"] as? [String])?.contains("make Glock matches") == true)
            #expect(bySerial["A8C1Z345"]?["match"] as? String == "confusable")
            #expect(bySerial["A8C1Z345"]?["score"] as? Int == 90)
            #expect(bySerial["ABC12845"]?["match"] as? String == "fuzzy")
            #expect(bySerial["ABC12845"]?["distance"] as? Int == 1)
            #expect(bySerial["ABC1245"]?["distance"] as? Int == 1)
            #expect(bySerial["ABC12354"]?["distance"] as? Int == 2)
            #expect(bySerial["ABC12346"]?["part"] as? String == "slide")
            #expect(((bySerial["ABC12346"]?["reasons"] as? [String]) ?? []).contains { $0.contains("slide") })
            #expect(bySerial["XYZ98765"] == nil)
            let scores = listed.compactMap { $0["score"] as? Int }
            #expect(scores == scores.sorted(by: >))
            let messages = try ForensicsCaseTests.list(try await app.request(.get, "/v1/traces/\(id)/messages", token: analyst))
            #expect(messages.map { "\($0["kind"] as? String ?? "") \($0["direction"] as? String ?? "")" } == ["acknowledgement sent"])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'trace.match' AND record_id = \(id)") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.search' AND detail->'query'->>'via' = 'tracing'") >= 1)
            // A partial serial read off a damaged slide: the pattern search.
            let partial = try await app.request(.post, "/v1/traces/incoming", token: liaison, json: Self.incoming(serial: "ABC12*"))
            let partialMatches = try #require(try partial.object["matches"] as? [[String: Any]])
            #expect(partialMatches.contains { $0["serial_normalized"] as? String == "ABC12345" && $0["match"] as? String == "pattern" })
            #expect(partialMatches.contains { $0["part"] as? String == "slide" })
            // Outgoing requests have no matches; bad input names its field and writes nothing.
            let before = try await app.count("SELECT count(*) FROM traces")
            let nothing = try await app.request(.post, "/v1/traces/incoming", token: liaison, json: Self.incoming(serial: "-/-"))
            #expect(try nothing.problemFields == ["firearm.serial"])
            let country = try await app.request(.post, "/v1/traces/incoming", token: liaison, json: Self.incoming(serial: "ABC12345").replacingOccurrences(of: #""requesting_state":"TT""#, with: #""requesting_state":"QQ""#))
            #expect(try country.problemFields == ["requesting_state"])
            #expect(try await app.count("SELECT count(*) FROM traces") == before)
            #expect(try await app.request(.post, "/v1/traces/incoming", token: analyst, json: Self.incoming(serial: "ABC12345")).status == .forbidden)
        }
    }

    @Test("the answer is assembled from the registry's history (transfers, last lawful holder, diversion, status), reviewed, sent as the answer, and the response time measured; the document carries every ITI field")
    func answerFromHistory() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            func holder(_ body: String) async throws -> String {
                try #require(try await app.request(.post, "/v1/holders", token: clerk, json: body).object["id"] as? String)
            }
            let dealer = try await holder(#"{"kind":"dealer","name":"Kingston Arms Ltd","country":"JM"}"#)
            let buyer = try await holder(#"{"kind":"person","name":"Ann Buyer","country":"JM"}"#)
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "HIS-777", extra: #","holder_id":"\#(dealer)""#))
            let firearmID = try #require(firearm["id"] as? String)
            let sold = try await app.request(.post, "/v1/firearms/\(firearmID)/events", token: clerk,
                                             json: #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2024-03-05","counterpart_holder_id":"\#(buyer)"}"#)
            #expect(sold.status == .created, "\(sold.text)")
            let stolen = try await app.request(.post, "/v1/firearms/\(firearmID)/events", token: clerk,
                                               json: #"{"kind":"reported_stolen","occurred_on":"2024-09-01","agency":"JCF"}"#)
            #expect(stolen.status == .created, "\(stolen.text)")
            let liaison = try await app.token(roles: [.liaison])
            let received = try await app.request(.post, "/v1/traces/incoming", token: liaison, json: Self.incoming(serial: "HIS777"))
            let id = try #require((try received.object["trace"] as? [String: Any])?["id"] as? String)
            let assembled = try await app.request(.get, "/v1/traces/\(id)/registry-answer", token: liaison)
            #expect(assembled.status == .ok, "\(assembled.text)")
            let answer = try assembled.object
            #expect(answer["outcome"] as? String == "traced")
            #expect(answer["registry_status"] as? String == "stolen")
            #expect(answer["diversion_established"] as? Bool == true)
            #expect((answer["diversion_how"] as? String)?.contains("reported stolen on 2024-09-01") == true)
            #expect((answer["last_lawful_holder"] as? [String: Any])?["name"] as? String == "Ann Buyer")
            let sale = (answer["transfers"] as? [[String: Any]])?.first { $0["kind"] as? String == "retail_sale" }
            #expect(sale?["from"] as? String == "Kingston Arms Ltd")
            #expect(sale?["to"] as? String == "Ann Buyer")
            #expect(sale?["on"] as? String == "2024-03-05")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.history' AND record_id = \(firearmID) AND detail->'query'->>'via' = 'tracing'") == 1)
            let unknown = try await app.request(.get, "/v1/traces/\(id)/registry-answer?firearm_id=\(UUID())", token: liaison)
            #expect(try unknown.problemFields == ["firearm_id"])
            // Need-to-know: a registry firearm that is not among the request's candidates is not answered
            // for (its history and holders are not read).
            let unrelated = try #require(try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(serial: "ZZQ-0001"))["id"] as? String)
            let notCandidate = try await app.request(.get, "/v1/traces/\(id)/registry-answer?firearm_id=\(unrelated)", token: liaison)
            #expect(notCandidate.status == .unprocessableContent)
            #expect(try notCandidate.problemFields == ["firearm_id"])
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.history' AND record_id = \(unrelated)") == 0)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'holder.read' AND record_id = \(buyer)") == 1)
            // Reviewed by a lawyer, and sent as the answer: the request is answered, its response time measured from arrival.
            let lawyer = try await app.token(roles: [.legal], username: "counsel2")
            #expect(try await app.request(.post, "/v1/traces/\(id)/legal-review", token: lawyer,
                                          json: #"{"firearm_id":"\#(firearmID)"}"#).status == .ok)
            let answerJSON = String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self)
            let reply = try await app.request(.post, "/v1/traces/\(id)/messages", token: liaison,
                                              json: #"{"kind":"answer","direction":"sent","body":"Answer from the national registry","answer":\#(answerJSON),"firearm_id":"\#(firearmID)"}"#)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(try reply.object["firearm_id"] as? String == firearmID, "\(reply.text)")
            #expect((try reply.object["legal_review"] as? [String: Any])?["approved_by"] as? String == "counsel2")
            let detail = try await app.request(.get, "/v1/traces/\(id)", token: liaison).object
            #expect(detail["status"] as? String == "answered")
            #expect(detail["response_days"] as? Int == 0)
            // An incoming request's answer is sent, not received.
            let other = try #require((try await app.request(.post, "/v1/traces/incoming", token: liaison, json: Self.incoming(serial: "HIS777")).object["trace"] as? [String: Any])?["id"] as? String)
            let wrong = try await app.request(.post, "/v1/traces/\(other)/messages", token: liaison, json: #"{"kind":"answer","direction":"received","answer":{"outcome":"not_traced","not_traced_reason":"no_record"}}"#)
            #expect(try wrong.problemFields == ["direction"])
            // The document, for exchange: every ITI field and the messages.
            let document = try await app.request(.get, "/v1/traces/\(id)/document", token: liaison, headers: [.accept: "application/json"])
            #expect(document.status == .ok, "\(document.text)")
            let doc = try document.object
            let docTrace = try #require(doc["trace"] as? [String: Any])
            for field in ["reference", "requesting_state", "channel", "requesting_agency", "requesting_officer", "firearm", "circumstances",
                          "legal_basis", "illicit_nature", "intended_use", "urgency", "deadline", "confidentiality", "answer"] {
                #expect(docTrace.keys.contains(field), "\(field)")
            }
            #expect((doc["messages"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["acknowledgement", "answer"])
            // The print-ready page, from the shared template mechanism: every ITI field, with its label.
            let page = try await app.request(.get, "/v1/traces/\(id)/document", token: liaison, headers: [.accept: "text/html"])
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.text
            let reference = try #require(docTrace["reference"] as? String)
            for text in ["<!DOCTYPE html>", "International tracing request", reference, "Requesting state", "TT", "TTPS-FIB-2026-0042",
                         "Trinidad and Tobago Police Service", "Insp. R. Mohammed", "Firearm as found", "HIS777", "slide", "9x19mm",
                         "Port of Spain", "murder", "Legal basis", "Mutual Legal Assistance in Criminal Matters Act", "Illicit nature of the firearm",
                         "recovered at a murder scene", "Intended use of the information", "criminal investigation", "Confidentiality", "restricted",
                         "Chain of lawful transfers", "retail_sale", "Kingston Arms Ltd", "Last lawful holder", "Ann Buyer", "Point of diversion",
                         "reported stolen on 2024-09-01", "Receipt acknowledged", "Response time</th><td>0 days", "Messages"] {
                #expect(html.contains(text), "\(text)")
            }
            #expect(try await app.request(.get, "/v1/traces/\(id)/document", token: liaison, headers: [.accept: "image/png"]).status == .notAcceptable)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'trace.document' AND record_id = \(id)") == 2)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'trace.document' AND record_id = \(id) AND detail->>'form' = 'html'") == 1)
        }
    }

    @Test("demo seed: outgoing traces at every status (two overdue, a follow-on, traced with a short time-to-crime, not traced) and incoming ones matching the registry sample exactly, by confusables, by pattern and fuzzily")
    func demoSeed() async throws {
        try await withTestApp { app in
            var config = AppConfig()
            config.bcryptCost = 4
            let summary = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(summary.contains { $0.hasPrefix("tracing: 8 outgoing traces (2 overdue, 1 follow-on), 5 incoming") }, "\(summary)")
            #expect(try await app.count("SELECT count(DISTINCT status) FROM traces WHERE direction = 'outgoing'") == 5)
            #expect(try await app.count("SELECT count(*) FROM traces WHERE status IN ('sent', 'acknowledged') AND deadline < current_date") == 2)
            #expect(try await app.count("SELECT count(*) FROM traces WHERE parent_id IS NOT NULL") == 1)
            #expect(try await app.count("SELECT count(*) FROM trace_messages WHERE outcome = 'not_traced'") == 1)
            for kind in ["exact", "confusable", "pattern", "fuzzy"] {
                #expect(try await app.count("SELECT count(*) FROM trace_matches WHERE match = \(kind)") >= 1, "\(kind)")
            }
            #expect(try await app.count("SELECT count(*) FROM trace_matches WHERE component_id IS NOT NULL AND match = 'confusable'") >= 1)
            let analyst = try await app.token(roles: [.analyst])
            let answered = try await app.request(.get, "/v1/traces?status=answered&direction=outgoing", token: analyst).object
            let ids = ((answered["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            var flagged = 0
            for id in ids {
                let ttc = try await app.request(.get, "/v1/traces/\(id)", token: analyst).object["time_to_crime"] as? [String: Any]
                if ttc?["under_one_year"] as? Bool == true { flagged += 1 }
            }
            #expect(flagged == 1)
            let again = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(!again.contains { $0.hasPrefix("tracing") })
        }
    }
}
