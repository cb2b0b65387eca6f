import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
@testable import Registry
import IFCServer
import Testing

@Suite("Registry")
struct RegistryTests {
    static func firearm(make: String = "Glock", serial: String = "ab-123 45", type: String = "pistol", calibre: String = "9x19mm",
                        extra: String = "") -> String {
        #"{"make":"\#(make)","model":"17","type":"\#(type)","calibre":"\#(calibre)","serial":"\#(serial)","country_of_manufacture":"AT","year_of_manufacture":2015\#(extra)}"#
    }

    /// Registers a firearm as a clerk and returns its JSON.
    @discardableResult
    static func register(_ app: TestApp, clerk: String, _ body: String) async throws -> [String: Any] {
        let response = try await app.request(.post, "/v1/firearms", token: clerk, json: body)
        #expect(response.status == .created, "\(response.text)")
        return try response.object
    }

    @Test("a clerk registers a firearm: reference, normalised serial, ETag, Location, version row and audit entry")
    func register() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let response = try await app.request(.post, "/v1/firearms", token: clerk, json: Self.firearm())
            #expect(response.status == .created)
            let body = try response.object
            let id = try #require(body["id"] as? String)
            #expect((body["reference"] as? String)?.hasPrefix("FA-") == true)
            #expect(body["serial"] as? String == "ab-123 45")
            #expect(body["serial_normalized"] as? String == "AB12345")
            #expect(body["status"] as? String == "registered")
            #expect(response.headers[.eTag] == "\"1\"")
            #expect(response.headers[.location] == "/v1/firearms/\(id)")
            #expect(try await app.count("SELECT count(*) FROM firearm_versions WHERE firearm_id = \(UUID(uuidString: id)!)") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create' AND record_id = \(id)") == 1)
        }
    }

    @Test("the same make, serial, type and calibre is a duplicate (409 naming the record); another calibre is not")
    func duplicates() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let first = try await Self.register(app, clerk: clerk, Self.firearm())
            let again = try await app.request(.post, "/v1/firearms", token: clerk, json: Self.firearm(make: "GLOCK", serial: "AB/12345"))
            #expect(again.status == .conflict)
            #expect(again.isProblem)
            #expect(again.text.contains(first["reference"] as! String))
            #expect(try again.problemFields == ["serial"])
            let padded = try await app.request(.post, "/v1/firearms", token: clerk, json: Self.firearm(make: " Glock ", serial: "AB12345"))
            #expect(padded.status == .conflict, "surrounding spaces make no new firearm")
            try await Self.register(app, clerk: clerk, Self.firearm(calibre: ".40 S&W"))
            #expect(try await app.count("SELECT count(*) FROM firearms") == 2)
        }
    }

    @Test("bad input is 422 naming each field, and nothing is written")
    func badInput() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let cases: [(String, Set<String>)] = [
                (Self.firearm(type: "bazooka"), ["type"]),
                (Self.firearm(serial: " -/ "), ["serial"]),
                (#"{"make":"Colt","type":"revolver","calibre":".38","serial":"X1","country_of_manufacture":"XX"}"#, ["country_of_manufacture"]),
                (#"{"make":"Colt","type":"revolver","calibre":".38","serial":"X1","year_of_manufacture":2999}"#, ["year_of_manufacture"]),
                (#"{"make":"Colt","type":"revolver","calibre":".38","serial":"X1","year_of_manufacture":2000,"import_year":1990}"#, ["import_year"]),
                (#"{"make":"Colt","type":"revolver","serial":"X1"}"#, ["calibre"]),
                (#"{"make":"Colt","type":"revolver","calibre":".38","serial":"X1","colour":"black"}"#, ["colour"]),
                (#"{"make":"Colt","type":"revolver","calibre":".38","serial":"X1","holder_id":"\#(UUID().uuidString)"}"#, ["holder_id"]),
            ]
            for (body, fields) in cases {
                let response = try await app.request(.post, "/v1/firearms", token: clerk, json: body)
                #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                #expect(Set(try response.problemFields) == fields, "\(body): \(response.text)")
            }
            #expect(try await app.count("SELECT count(*) FROM firearms") == 0)
        }
    }

    @Test("clerks write; analysts, examiners and liaison officers read; auditors and admins do neither")
    func roles() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let created = try await Self.register(app, clerk: clerk, Self.firearm())
            let path = "/v1/firearms/\(created["id"] as! String)"
            for role in [Role.analyst, .examiner, .liaison] {
                let token = try await app.token(roles: [role])
                #expect(try await app.request(.get, path, token: token).status == .ok, "\(role) reads")
                #expect(try await app.request(.get, "/v1/firearms/search?serial=AB1*", token: token).status == .ok)
                #expect(try await app.request(.post, "/v1/firearms", token: token, json: Self.firearm(serial: "Z9")).status == .forbidden, "\(role) cannot write")
            }
            for role in [Role.auditor, .admin] {
                let token = try await app.token(roles: [role])
                #expect(try await app.request(.get, path, token: token).status == .forbidden, "\(role) cannot read")
                #expect(try await app.request(.get, "/v1/holders", token: token).status == .forbidden)
                #expect(try await app.request(.post, "/v1/firearms", token: token, json: Self.firearm(serial: "Z9")).status == .forbidden)
            }
        }
    }

    @Test("a correction needs If-Match, makes a new version, and the history shows each version with who and when")
    func correctionAndHistory() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk], username: "clerk1")
            let analyst = try await app.token(roles: [.analyst])
            let created = try await Self.register(app, clerk: clerk, Self.firearm())
            let path = "/v1/firearms/\(created["id"] as! String)"
            #expect(try await app.request(.patch, path, token: clerk, json: #"{"model":"19"}"#).status == .preconditionRequired)
            let corrected = try await app.request(.patch, path, token: clerk, json: #"{"model":"19","serial":"AB12346"}"#, headers: [.ifMatch: "\"1\""])
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(corrected.headers[.eTag] == "\"2\"")
            #expect(try corrected.object["model"] as? String == "19")
            #expect(try await app.request(.patch, path, token: clerk, json: #"{"model":"26"}"#, headers: [.ifMatch: "\"1\""]).status == .preconditionFailed)
            let holderChange = try await app.request(.patch, path, token: clerk, json: #"{"holder_id":"\#(UUID().uuidString)"}"#, headers: [.ifMatch: "\"2\""])
            #expect(holderChange.status == .unprocessableContent)
            let history = try await app.request(.get, path + "/history", token: analyst)
            #expect(history.status == .ok)
            let versions = try #require(try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]])
            #expect(versions.map { $0["version"] as? Int } == [1, 2])
            #expect(versions.map { $0["changed_by"] as? String } == ["clerk1", "clerk1"])
            #expect((versions[0]["record"] as? [String: Any])?["model"] as? String == "17")
            #expect((versions[1]["record"] as? [String: Any])?["serial_normalized"] as? String == "AB12346")
        }
    }

    static func event(_ app: TestApp, _ token: String, _ path: String, _ body: String) async throws -> TestResponse {
        try await app.request(.post, path + "/events", token: token, json: body)
    }

    @Test("status follows the events; senseless events are 409 with the reason; a destroyed firearm stays readable")
    func lifecycle() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let created = try await Self.register(app, clerk: clerk, Self.firearm())
            let path = "/v1/firearms/\(created["id"] as! String)"
            let holder = try await app.request(.post, "/v1/holders", token: clerk, json: #"{"kind":"person","name":"Ann Lee","country":"JM"}"#)
            let holderID = try #require(try holder.object["id"] as? String)
            func status(after body: String) async throws -> (HTTPResponse.Status, String?) {
                let response = try await Self.event(app, clerk, path, body)
                let firearm = (try? response.object["firearm"] as? [String: Any]) ?? nil
                return (response.status, firearm?["status"] as? String)
            }
            let recoverNeverLost = try await Self.event(app, clerk, path, #"{"kind":"recovered","occurred_on":"2024-01-02"}"#)
            #expect(recoverNeverLost.status == .conflict)
            #expect(recoverNeverLost.text.contains("only a lost or stolen firearm can be recovered"))
            #expect(try await status(after: #"{"kind":"licensed","occurred_on":"2020-05-01","document_ref":"LIC-1"}"#) == (.created, "licensed"))
            #expect(try await status(after: #"{"kind":"reported_stolen","occurred_on":"2023-03-14","agency":"JCF"}"#) == (.created, "stolen"))
            #expect(try await status(after: #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2023-04-01","counterpart_holder_id":"\#(holderID)"}"#).0 == .conflict)
            // Importing back clears nothing: only an exported firearm can be imported.
            #expect(try await status(after: #"{"kind":"transferred","transfer_kind":"import","occurred_on":"2023-04-02","counterpart_country":"US","cross_border":{"import_licence":{"number":"IL-1"}}}"#).0 == .conflict)
            #expect(try await status(after: #"{"kind":"recovered","occurred_on":"2023-06-01"}"#) == (.created, "recovered"))
            #expect(try await status(after: #"{"kind":"destroyed","occurred_on":"2024-02-01"}"#) == (.created, "destroyed"))
            let backDated = try await Self.event(app, clerk, path, #"{"kind":"surrendered","occurred_on":"2023-12-01"}"#)
            #expect(backDated.status == .conflict, "events are recorded in date order")
            let afterDestroyed = try await Self.event(app, clerk, path, #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2024-03-01","counterpart_holder_id":"\#(holderID)"}"#)
            #expect(afterDestroyed.status == .conflict)
            #expect(afterDestroyed.text.contains("destroyed"))
            let analyst = try await app.token(roles: [.analyst])
            let read = try await app.request(.get, path, token: analyst)
            #expect(try read.object["status"] as? String == "destroyed")
            #expect(read.headers[.eTag] == "\"5\"")
            let events = try await app.request(.get, path + "/events", token: analyst)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: events.body)) as? [[String: Any]])
            #expect(list.map { $0["kind"] as? String } == ["licensed", "reported_stolen", "recovered", "destroyed"])
            #expect(try await app.count("SELECT count(*) FROM firearm_versions WHERE firearm_id = \(UUID(uuidString: created["id"] as! String)!)") == 5)
        }
    }

    @Test("event input: date before manufacture, future date, missing transfer kind or country are 422 naming the field")
    func eventValidation() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let created = try await Self.register(app, clerk: clerk, Self.firearm())
            let path = "/v1/firearms/\(created["id"] as! String)"
            let cases: [(String, [String])] = [
                (#"{"kind":"reported_lost","occurred_on":"2010-01-01"}"#, ["occurred_on"]),
                (#"{"kind":"reported_lost","occurred_on":"2999-01-01"}"#, ["occurred_on"]),
                (#"{"kind":"reported_lost","occurred_on":"14/03/2023"}"#, ["occurred_on"]),
                (#"{"kind":"transferred","occurred_on":"2020-01-01"}"#, ["transfer_kind"]),
                (#"{"kind":"transferred","transfer_kind":"export","occurred_on":"2020-01-01","cross_border":{"export_licence":{"number":"EL-1"},"import_licence":{"number":"IL-1"}}}"#, ["counterpart_country"]),
                (#"{"kind":"transferred","transfer_kind":"export","occurred_on":"2020-01-01","counterpart_country":"US"}"#, ["cross_border"]),
                (#"{"kind":"transferred","transfer_kind":"export","occurred_on":"2020-01-01","counterpart_country":"US","cross_border":{"import_licence":{"number":"IL-1"}}}"#, ["cross_border.export_licence"]),
                (#"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2020-01-01"}"#, ["counterpart_holder_id"]),
                (#"{"kind":"melted","occurred_on":"2020-01-01"}"#, ["kind"]),
            ]
            for (body, fields) in cases {
                let response = try await Self.event(app, clerk, path, body)
                #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                #expect(try response.problemFields == fields, "\(body)")
            }
            #expect(try await app.count("SELECT count(*) FROM firearm_events") == 0)
            let stale = try await app.request(.post, path + "/events", token: clerk, json: #"{"kind":"reported_lost","occurred_on":"2020-01-01"}"#,
                                              headers: [.ifMatch: "\"7\""])
            #expect(stale.status == .preconditionFailed)
        }
    }

    @Test("a domestic transfer hands the firearm to the counterpart holder; an export takes it out")
    func transfers() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let dealer = try await app.request(.post, "/v1/holders", token: clerk,
                                               json: #"{"kind":"dealer","name":"Kingston Arms Ltd","id_number":"REG-1234","country":"JM"}"#)
            #expect(dealer.status == .created)
            let dealerID = try #require(try dealer.object["id"] as? String)
            let created = try await Self.register(app, clerk: clerk, Self.firearm())
            let path = "/v1/firearms/\(created["id"] as! String)"
            let transfer = try await Self.event(app, clerk, path,
                                                #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2021-01-01","counterpart_holder_id":"\#(dealerID)","permit_number":"P-77"}"#)
            #expect(transfer.status == .created)
            #expect((try transfer.object["firearm"] as? [String: Any])?["holder_id"] as? String == dealerID)
            let byHolder = try await app.request(.get, "/v1/firearms?holder_id=\(dealerID)", token: clerk)
            #expect((try byHolder.object["items"] as? [[String: Any]])?.count == 1)
            let export = try await Self.event(app, clerk, path,
                                              #"{"kind":"transferred","transfer_kind":"export","occurred_on":"2022-01-01","counterpart_country":"US","cross_border":{"export_licence":{"number":"EL-22"},"import_licence":{"number":"US-IL-9"},"importing_country":"US","foreign_party":"Gulf Coast Arms LLC"}}"#)
            #expect((try export.object["firearm"] as? [String: Any])?["status"] as? String == "exported")
            #expect((try export.object["firearm"] as? [String: Any])?["holder_id"] is NSNull)
        }
    }

    @Test("serial search: exact on the normalised serial, ? and * patterns, confusables, ranking, 3 known characters at least")
    func search() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            for (make, serial) in [("Glock", "AB12389"), ("Glock", "AB1239"), ("Taurus", "AB712X9"), ("Beretta", "O8S-1Z"), ("Beretta", "08512"),
                                   ("Colt", "ZZ99999")] {
                try await Self.register(app, clerk: clerk, Self.firearm(make: make, serial: serial))
            }
            let analyst = try await app.token(roles: [.analyst])
            func serials(_ query: String) async throws -> [String] {
                let response = try await app.request(.get, query, token: analyst)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return ((try response.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["serial_normalized"] as? String }
            }
            #expect(try await serials("/v1/firearms?serial=ab-12%20389") == ["AB12389"])
            #expect(try await serials("/v1/firearms/search?serial=AB?12*9") == ["AB712X9"])
            #expect(Set(try await serials("/v1/firearms/search?serial=AB12*9")) == ["AB12389", "AB1239"])
            // Exact first, then closest.
            #expect(try await serials("/v1/firearms/search?serial=AB1239*").first == "AB1239")
            #expect(try await serials("/v1/firearms/search?serial=OBS1Z") == [])
            #expect(Set(try await serials("/v1/firearms/search?serial=OBS1Z&confusables=true")) == ["O8S1Z", "08512"])
            for pattern in ["A?*", "*9", "AB", "??1", "*A?B?C*", "?12*9"] {
                let response = try await app.request(.get, "/v1/firearms/search?serial=\(pattern)", token: analyst)
                #expect(response.status == .unprocessableContent, "\(pattern)")
                #expect(try response.problemFields == ["serial"])
            }
            // One audit entry per firearm returned.
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.search' AND record_id IS NOT NULL") >= 6)
        }
    }

    @Test("the pattern searches can use the trigram indexes (no table scan needed)")
    func searchUsesIndexes() async throws {
        try await withTestDatabase { database in
            let plans = try await database.asOwner { connection -> [String] in
                // 50,000 firearms with varied serials, so the planner weighs a real table.
                try await connection.query("""
                    INSERT INTO firearms (id, reference, make, type, calibre, serial_marked, serial_normalized, serial_folded)
                    SELECT gen_random_uuid(), 'FA-' || lpad(g::text, 7, '0'), 'Make' || (g % 40), 'pistol', '9mm', s, s, translate(s, 'OILSBZ', '011582')
                    FROM generate_series(1, 50000) g, LATERAL (SELECT upper(substr(md5(g::text), 1, 9)) AS s) x
                    """, logger: TestCluster.logger)
                try await connection.query("ANALYZE firearms", logger: TestCluster.logger)
                // Whether an index *can* serve the pattern, not which plan the planner prefers on
                // this sample's statistics (it flipped to a scan for a common folded pattern once):
                // with table scans priced out, a plan that still scans has no usable index.
                try await connection.query("SET enable_seqscan = off", logger: TestCluster.logger)
                var lines: [String] = []
                for (column, like) in [("serial_normalized", "%B_123%"), ("serial_folded", "%8_123%"), ("serial_normalized", "AB_12%9")] {
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN SELECT id FROM firearms WHERE \(column) LIKE '\(like)'"),
                                                          logger: TestCluster.logger)
                    var plan = ""
                    for try await line in rows.decode(String.self) { plan += line + "\n" }
                    lines.append(plan)
                }
                return lines
            }
            #expect(plans[0].contains("firearms_serial_trgm"), "\(plans[0])")
            #expect(plans[1].contains("firearms_folded_trgm"), "\(plans[1])")
            // A known prefix may use the plain b-tree instead; either way, no table scan.
            #expect(!plans[2].contains("Seq Scan"), "\(plans[2])")
        }
    }

    @Test("holders: recorded with a reference, found by part of the name or by identity number")
    func holders() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            for (kind, name, id) in [("person", "Marcia Campbell", "JM-ID-1"), ("dealer", "Campbell Sporting Goods", "REG-9"), ("person", "Peter Brown", "JM-ID-2")] {
                let created = try await app.request(.post, "/v1/holders", token: clerk,
                                                    json: #"{"kind":"\#(kind)","name":"\#(name)","id_number":"\#(id)","country":"JM"}"#)
                #expect(created.status == .created)
                #expect((try created.object["reference"] as? String)?.hasPrefix("HO-") == true)
            }
            let liaison = try await app.token(roles: [.liaison])
            let byName = try await app.request(.get, "/v1/holders?name=campbell", token: liaison)
            #expect(((try byName.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["Campbell Sporting Goods", "Marcia Campbell"])
            let byID = try await app.request(.get, "/v1/holders?id_number=jm-id-2", token: liaison)
            #expect(((try byID.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["Peter Brown"])
            let bad = try await app.request(.post, "/v1/holders", token: clerk, json: #"{"kind":"wizard","name":"","country":"Jamaica"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(try bad.problemFields) == ["kind", "name", "country"])
        }
    }

    @Test("serial normalisation, folding and patterns")
    func serialRules() {
        #expect(Serial.normalize("ab-12 345/x") == "AB12345X")
        #expect(Serial.normalize(" -/. ") == nil)
        #expect(Serial.fold("OISBZL") == "015821")
        #expect(Serial.normalize("\u{FB03}7") == "7", "a ligature is no letter of a serial, and does not expand")
        #expect(Serial.Pattern("ab?12**9")?.normalized == "AB?12*9")
        #expect(Serial.Pattern("ab?12**9")?.like(folded: false) == "AB_12%9")
        #expect(Serial.Pattern("ab?12**9")?.knownCount == 5)
        #expect(Serial.Pattern("%_")?.normalized == nil)
    }

    @Test("event rules: every kind after destroyed is refused; recovery needs a loss or theft")
    func eventRules() {
        for kind in EventKind.allCases {
            if case .success = kind.apply(to: .destroyed, transfer: .domestic) { Issue.record("\(kind) accepted after destroyed") }
        }
        for status in FirearmStatus.allCases where status != .lost && status != .stolen {
            if case .success = EventKind.recovered.apply(to: status, transfer: nil) { Issue.record("recovered from \(status)") }
        }
        #expect(EventKind.reportedStolen.apply(to: .lost, transfer: nil) == .success(.stolen))
        #expect(EventKind.transferred.apply(to: .deactivated, transfer: .domestic) == .success(.deactivated))
        #expect(EventKind.transferred.apply(to: .exported, transfer: .import) == .success(.registered))
    }

    @Test("demo seed fills an empty registry once, through the audited calls, with consistent statuses")
    func demoSeed() async throws {
        try await withTestApp { app in
            var config = AppConfig()
            config.bcryptCost = 4
            let first = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(first.contains { $0.hasPrefix("registry: 60 holders, 306 firearms") }, "\(first)")
            // 306 from the registry's sample, and the forensics sample's 2 seized illicit finds.
            #expect(try await app.count("SELECT count(*) FROM firearms") == 308)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create'") == 308)
            // Each firearm's status is the status after its last event.
            #expect(try await app.count("""
                SELECT count(*) FROM firearms f WHERE f.status <> coalesce(
                    (SELECT e.status_after FROM firearm_events e WHERE e.firearm_id = f.id ORDER BY e.recorded_at DESC LIMIT 1), 'registered')
                """) == 0)
            #expect(try await app.count("SELECT count(DISTINCT status) FROM firearms") >= 5)
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE record_origin = 'illicit' AND serial_marked IS NULL") == 5)
            #expect(try await app.count("SELECT count(*) FROM firearm_events WHERE kind = 'voided'") == 1)
            #expect(try await app.count("SELECT count(*) FROM components") == 4)
            #expect(try await app.count("SELECT count(*) FROM consignments WHERE delivery_verified_on IS NOT NULL") == 1)
            #expect(try await app.count("SELECT count(*) FROM firearm_events WHERE from_holder_id IS NOT NULL") >= 3, "a dealer with a register")
            #expect(try await app.count("SELECT count(*) FROM licences") >= 40)
            #expect(try await app.count("SELECT count(*) FROM licences WHERE valid_until < current_date") >= 1)
            let again = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(again.isEmpty)
            #expect(try await app.count("SELECT count(*) FROM firearms") == 308)
        }
    }
}
