import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCStore
import PostgresNIO
import Testing

/// Exhibits: taken into the lab for a case, described by kind, derived from one another, found
/// by who holds them and where they are.
@Suite("Exhibits: records")
struct ExhibitsTests {
    /// An exhibit body for `caseID`; `extra` is appended inside the object.
    static func exhibit(case caseID: String, barcode: String = "LAB-\(UUID().uuidString.prefix(8))", kind: String = "cartridge_case",
                        extra: String = "") -> String {
        #"{"barcode":"\#(barcode)","kind":"\#(kind)","case_id":"\#(caseID)","description":"fired 9mm cartridge case, scene marker 4","quantity":1,"calibre":"9x19mm","seal_number":"S-1001","condition_on_receipt":"sealed bag, intact","storage_location":"Ballistics vault A","received_on":"2025-03-02"\#(extra)}"#
    }

    static func create(_ app: TestApp, examiner: String, _ body: String) async throws -> [String: Any] {
        let response = try await app.request(.post, "/v1/exhibits", token: examiner, json: body)
        #expect(response.status == .created, "\(response.text)")
        return try response.object
    }

    /// A case opened by `examiner`, and its id.
    static func openCase(_ app: TestApp, examiner: String) async throws -> String {
        try #require(try await ForensicsCaseTests.open(app, examiner: examiner)["id"] as? String)
    }

    @Test("an examiner takes an exhibit in: EX-YYYY reference, custodian is the examiner, chain entry 1 is the intake, audited; analysts and liaison read; clerks do not")
    func takesExhibitIn() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner], username: "examiner.one")
            let caseID = try await Self.openCase(app, examiner: examiner)
            let response = try await app.request(.post, "/v1/exhibits", token: examiner,
                                                 json: Self.exhibit(case: caseID, barcode: "LAB-0001", extra: #","headstamp":"WIN 9MM LUGER","lot":"L-88""#))
            #expect(response.status == .created, "\(response.text)")
            #expect(response.headers[.eTag] == "\"1\"")
            let created = try response.object
            let reference = try #require(created["reference"] as? String)
            #expect(reference.range(of: "^EX-\(CalendarDate(app.clock.now).year)-[0-9]{6}$", options: .regularExpression) != nil)
            #expect(created["custodian"] as? String == "examiner.one")
            #expect(created["custodian_kind"] as? String == "user")
            #expect(created["status"] as? String == "held")
            #expect(created["headstamp"] as? String == "WIN 9MM LUGER")
            #expect(created["seal_broken"] as? Bool == false)
            let id = try #require(created["id"] as? String)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'exhibit.create' AND record_id = \(id)") == 1)
            // The case was read through the forensics read API, audited as coming through this module.
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.read' AND detail->'query'->>'via' = 'exhibits'") >= 1)
            let custody = try await app.request(.get, "/v1/exhibits/\(id)/custody", token: examiner).object
            let entries = try #require(custody["entries"] as? [[String: Any]])
            #expect(entries.map { $0["event"] as? String } == ["intake"])
            #expect(entries.first?["custodian"] as? String == "examiner.one")
            for role in [Role.analyst, .liaison] {
                let reader = try await app.token(roles: [role])
                // A liaison officer sees the exhibits of a case on whose team they are.
                if role == .liaison { try await LiaisonScopeTests.join(app, caseID: caseID, examiner: examiner, liaison: reader) }
                #expect(try await app.request(.get, "/v1/exhibits/\(id)", token: reader).status == .ok)
                #expect(try await app.request(.post, "/v1/exhibits", token: reader, json: Self.exhibit(case: caseID)).status == .forbidden)
            }
            let clerk = try await app.token(roles: [.clerk])
            #expect(try await app.request(.get, "/v1/exhibits/\(id)", token: clerk).status == .forbidden)
        }
    }

    @Test("bad input names the field: unknown case, a seizure not of the case, kind-specific fields on another kind, a future date; a duplicate barcode or a closed case is 409; nothing is written")
    func refusals() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let clerk = try await app.token(roles: [.clerk])
            let caseID = try await Self.openCase(app, examiner: examiner)
            let seizure = try await ForensicsSeizureTests.create(app, clerk: clerk, ForensicsSeizureTests.seizure())
            let seizureID = try #require(seizure["id"] as? String)
            func refused(_ body: String) async throws -> [String] {
                let response = try await app.request(.post, "/v1/exhibits", token: examiner, json: body)
                #expect(response.status == .unprocessableContent, "\(response.text)")
                #expect(response.isProblem)
                return try response.problemFields
            }
            #expect(try await refused(Self.exhibit(case: UUID().uuidString.lowercased())) == ["case_id"])
            #expect(try await refused(Self.exhibit(case: caseID, extra: #","seizure_id":"\#(seizureID)""#)) == ["seizure_id"])
            #expect(try await refused(Self.exhibit(case: caseID, kind: "bullet", extra: #","headstamp":"WIN""#)) == ["headstamp"])
            #expect(try await refused(Self.exhibit(case: caseID, kind: "cartridge_case", extra: #","lands_and_grooves":6,"twist_direction":"right""#))
                    == ["lands_and_grooves", "twist_direction"])
            #expect(try await refused(Self.exhibit(case: caseID, kind: "bullet", extra: #","manufacture_origin":"craft""#)) == ["manufacture_origin"])
            #expect(try await refused(Self.exhibit(case: caseID, kind: "magazine", extra: #","firearm_id":"\#(UUID().uuidString.lowercased())""#)) == ["firearm_id"])
            #expect(try await refused(Self.exhibit(case: caseID, kind: "firearm", extra: #","firearm_id":"\#(UUID().uuidString.lowercased())""#)) == ["firearm_id"])
            let tomorrow = CalendarDate(app.clock.now.addingTimeInterval(86400)).text
            #expect(try await refused(Self.exhibit(case: caseID).replacingOccurrences(of: "2025-03-02", with: tomorrow)) == ["received_on"])
            #expect(try await refused(Self.exhibit(case: caseID, extra: #","derivation":"test_fire""#)) == ["parent_id"])
            // Kind-specific fields the kind does take are accepted.
            _ = try await Self.create(app, examiner: examiner, Self.exhibit(case: caseID, kind: "bullet", extra: #","lands_and_grooves":6,"twist_direction":"right""#))
            _ = try await Self.create(app, examiner: examiner, Self.exhibit(case: caseID, kind: "firearm", extra: #","manufacture_origin":"privately_made""#))
            _ = try await Self.create(app, examiner: examiner, Self.exhibit(case: caseID, barcode: "DUP-1"))
            let duplicate = try await app.request(.post, "/v1/exhibits", token: examiner, json: Self.exhibit(case: caseID, barcode: "DUP-1"))
            #expect(duplicate.status == .conflict)
            #expect(duplicate.isProblem)
            // A closed case takes no more exhibits.
            let closed = try await Self.openCase(app, examiner: examiner)
            #expect(try await app.request(.patch, "/v1/cases/\(closed)", token: examiner, json: #"{"status":"closed"}"#,
                                          headers: [.ifMatch: "\"1\""]).status == .ok)
            let late = try await app.request(.post, "/v1/exhibits", token: examiner, json: Self.exhibit(case: closed))
            #expect(late.status == .conflict)
            #expect(try late.object["type"] as? String == "urn:ifcd:problem:case-closed")
            #expect(try await app.count("SELECT count(*) FROM exhibits") == 3)
            #expect(try await app.count("SELECT count(*) FROM exhibit_custody") == 3)
        }
    }

    @Test("a test-fire names its parent firearm exhibit; the tree is read from any member; a test-fire of a bullet or of another case's exhibit is refused")
    func derivedExhibits() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let caseID = try await Self.openCase(app, examiner: examiner)
            let otherCase = try await Self.openCase(app, examiner: examiner)
            let pistol = try await Self.create(app, examiner: examiner, Self.exhibit(case: caseID, kind: "firearm", extra: #","manufacture_origin":"industrial""#))
            let pistolID = try #require(pistol["id"] as? String)
            let testFire = try await Self.create(app, examiner: examiner, Self.exhibit(
                case: caseID, kind: "cartridge_case", extra: #","parent_id":"\#(pistolID)","derivation":"test_fire""#))
            let testFireID = try #require(testFire["id"] as? String)
            #expect(testFire["parent_id"] as? String == pistolID)
            let magazine = try await Self.create(app, examiner: examiner, Self.exhibit(
                case: caseID, kind: "magazine", extra: #","parent_id":"\#(pistolID)","derivation":"sub_item""#))
            let round = try await Self.create(app, examiner: examiner, Self.exhibit(
                case: caseID, kind: "live_ammunition", extra: #","parent_id":"\#(try #require(magazine["id"] as? String))","derivation":"sub_item""#))
            let tree = try await app.request(.get, "/v1/exhibits/\(testFireID)/tree", token: examiner).object
            #expect((tree["exhibit"] as? [String: Any])?["id"] as? String == pistolID)
            let derived = try #require(tree["derived"] as? [[String: Any]])
            #expect(Set(derived.compactMap { ($0["exhibit"] as? [String: Any])?["id"] as? String }) == [testFireID, try #require(magazine["id"] as? String)])
            let underMagazine = derived.first { ($0["exhibit"] as? [String: Any])?["kind"] as? String == "magazine" }?["derived"] as? [[String: Any]]
            #expect(underMagazine?.compactMap { ($0["exhibit"] as? [String: Any])?["id"] as? String } == [try #require(round["id"] as? String)])
            let bullet = try await Self.create(app, examiner: examiner, Self.exhibit(case: caseID, kind: "bullet"))
            let fromBullet = try await app.request(.post, "/v1/exhibits", token: examiner, json: Self.exhibit(
                case: caseID, kind: "cartridge_case", extra: #","parent_id":"\#(try #require(bullet["id"] as? String))","derivation":"test_fire""#))
            #expect(try fromBullet.problemFields == ["parent_id"])
            let otherCaseChild = try await app.request(.post, "/v1/exhibits", token: examiner, json: Self.exhibit(
                case: otherCase, kind: "cartridge_case", extra: #","parent_id":"\#(pistolID)","derivation":"test_fire""#))
            #expect(try otherCaseChild.problemFields == ["parent_id"])
        }
    }

    @Test("lists: custodian=me, by case, location and barcode, and in transit for longer than N hours")
    func listFilters() async throws {
        try await withTestApp { app in
            let alice = try await app.token(roles: [.examiner], username: "alice.lab")
            let bob = try await app.token(roles: [.examiner], username: "bob.lab")
            let caseA = try await Self.openCase(app, examiner: alice)
            let caseB = try await Self.openCase(app, examiner: alice)
            let a1 = try #require(try await Self.create(app, examiner: alice, Self.exhibit(case: caseA, barcode: "A-1"))["id"] as? String)
            let a2 = try #require(try await Self.create(app, examiner: alice, Self.exhibit(case: caseB, barcode: "A-2").replacingOccurrences(
                of: "Ballistics vault A", with: "Firearms store 2"))["id"] as? String)
            let b1 = try #require(try await Self.create(app, examiner: bob, Self.exhibit(case: caseA, barcode: "B-1"))["id"] as? String)
            func ids(_ query: String, as token: String) async throws -> [String] {
                let response = try await app.request(.get, "/v1/exhibits?\(query)", token: token)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return (try response.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(Set(try await ids("custodian=me", as: alice)) == [a1, a2])
            #expect(try await ids("custodian=me", as: bob) == [b1])
            #expect(Set(try await ids("case_id=\(caseA)", as: bob)) == [a1, b1])
            #expect(try await ids("location=Firearms%20store%202", as: bob) == [a2])
            #expect(try await ids("barcode=B-1", as: alice) == [b1])
            let sent = try await app.request(.post, "/v1/exhibits/\(a1)/transfers", token: alice,
                                             json: #"{"to_user":"bob.lab","purpose":"comparison","seal_intact":true}"#)
            #expect(sent.status == .created, "\(sent.text)")
            #expect(try await ids("in_transit_hours=4", as: alice) == [])
            app.clock.advance(by: 5 * 3600)
            #expect(try await ids("in_transit_hours=4", as: alice) == [a1])
            #expect(try await ids("in_transit_hours=6", as: alice) == [])
            #expect(try await ids("status=in_transit", as: alice) == [a1])
            let page = try await app.request(.get, "/v1/exhibits?limit=2", token: alice).object
            let next = try #require(page["next_cursor"] as? String)
            #expect(try await ids("limit=2&cursor=\(next)", as: alice).count == 1)
            #expect(try await app.request(.get, "/v1/exhibits?in_transit_hours=-1", token: alice).problemFields == ["in_transit_hours"])
        }
    }

    @Test("a correction is a new version with If-Match; custody steps are versions too; the history keeps each")
    func correctionAndHistory() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let caseID = try await Self.openCase(app, examiner: examiner)
            let id = try #require(try await Self.create(app, examiner: examiner, Self.exhibit(case: caseID))["id"] as? String)
            let path = "/v1/exhibits/\(id)"
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"quantity":2}"#).status == .preconditionRequired)
            let corrected = try await app.request(.patch, path, token: examiner, json: #"{"quantity":2}"#, headers: [.ifMatch: "\"1\""])
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(corrected.headers[.eTag] == "\"2\"")
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"quantity":3}"#, headers: [.ifMatch: "\"1\""]).status == .preconditionFailed)
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"barcode":"X"}"#, headers: [.ifMatch: "\"2\""]).problemFields == ["barcode"])
            #expect(try await app.request(.patch, path, token: examiner, json: #"{"headstamp":"X"}"#, headers: [.ifMatch: "\"2\""]).status == .ok)
            let sealed = try await app.request(.post, "\(path)/seals", token: examiner, json: #"{"seal_number":"S-2002","reason":"after examination"}"#)
            #expect(sealed.status == .ok, "\(sealed.text)")
            let history = try await app.request(.get, "\(path)/history", token: examiner)
            let versions = (try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]]) ?? []
            #expect(versions.map { $0["version"] as? Int } == [1, 2, 3, 4])
            #expect((versions.last?["record"] as? [String: Any])?["seal_number"] as? String == "S-2002")
        }
    }
}
