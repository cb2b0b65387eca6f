import Foundation
import HTTPTypes
import IFCCore
import Testing

/// A restored registry firearm names the forensic case that restored its marking
/// (`restoration_case`); the case follows need-to-know, so the registry shows that reference only to
/// who may see the case (issue 24), on every route that answers the firearm, and a correction never
/// writes the withheld value back.
@Suite("Need-to-know: a restored firearm's case")
struct RestorationDisclosureTests {
    /// A secret case whose restoration confirmed the registry firearm `serial`; its id, reference
    /// and the firearm's id.
    static func restoredBySecretCase(_ app: TestApp, clerk: String, owner: String,
                                     serial: String = "DVS4417") async throws -> (caseID: String, reference: String, firearmID: String) {
        let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(make: "Smith & Wesson", serial: serial,
                                                                                                   type: "revolver", calibre: ".38 Special"))
        let firearmID = try #require(firearm["id"] as? String)
        let opened = try await ForensicsCaseTests.open(app, examiner: owner, CaseNeedToKnowTests.caseBody("secret"))
        let caseID = try TracingTests.id(opened)
        let created = try await app.request(.post, "/v1/cases/\(caseID)/examinations", token: owner,
                                            json: #"{"kind":"serial_number_restoration","method":"chemical etching","part_examined":"frame","recovered_serial":"\#(serial)","started_on":"2025-03-03"}"#)
        #expect(created.status == .created, "\(created.text)")
        let examination = try #require(try created.object["id"] as? String)
        #expect(try await app.request(.post, "/v1/examinations/\(examination)/registry-search", token: owner).status == .ok)
        let confirmed = try await app.request(.post, "/v1/examinations/\(examination)/confirmation", token: owner,
                                              json: #"{"firearm_id":"\#(firearmID)"}"#)
        #expect(confirmed.status == .ok, "\(confirmed.text)")
        return (caseID, try #require(opened["reference"] as? String), firearmID)
    }

    /// The `restoration_case` of every place the firearm appears for `token`: its read, the list by
    /// serial, the serial search and every version of its history.
    static func shown(_ app: TestApp, _ token: String, firearmID: String, serial: String = "DVS4417") async throws -> [String?] {
        let read = try await app.request(.get, "/v1/firearms/\(firearmID)", token: token)
        #expect(read.status == .ok, "\(read.text)")
        var found: [String?] = [try read.object["restoration_case"] as? String]
        let list = try await app.request(.get, "/v1/firearms?serial=\(serial)", token: token).object
        found += (list["items"] as? [[String: Any]] ?? []).map { $0["restoration_case"] as? String }
        let search = try await app.request(.get, "/v1/firearms/search?serial=\(serial)", token: token).object
        found += (search["items"] as? [[String: Any]] ?? []).map { $0["restoration_case"] as? String }
        let history = try await app.request(.get, "/v1/firearms/\(firearmID)/history", token: token)
        found += try ForensicsCaseTests.list(history).compactMap { ($0["record"] as? [String: Any]).map { $0["restoration_case"] as? String } }
        #expect(found.count >= 5, "the read, the list, the search and at least two versions")
        return found
    }

    @Test("a secret case's reference on the restored firearm is shown to its cleared members only: null for a clerk, a non-member examiner and an analyst below its level, on the read, list, search and history; shown once the examiner joins; a correction keeps the stored reference")
    func restorationCaseFollowsTheCase() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let owner = try await app.token(roles: [.examiner], clearance: .secret)
            let colleague = try await app.token(roles: [.examiner], clearance: .secret)
            let analyst = try await app.token(roles: [.analyst], clearance: .restricted)
            let (caseID, reference, firearmID) = try await Self.restoredBySecretCase(app, clerk: clerk, owner: owner)

            // The owner sees the case, so its reference, on the read, the list and the search (the
            // history's first version predates the restoration).
            let seen = try await Self.shown(app, owner, firearmID: firearmID)
            #expect(seen.filter { $0 == reference }.count == seen.count - 1, "\(seen)")
            #expect(seen.contains(nil), "the registration's version names no case")
            // The restoration itself stays visible to all: the marking is `restored`, with its method.
            for token in [clerk, colleague, analyst] {
                let shown = try await Self.shown(app, token, firearmID: firearmID)
                #expect(shown.allSatisfy { $0 == nil }, "\(shown)")
                let read = try await app.request(.get, "/v1/firearms/\(firearmID)", token: token).object
                #expect(read["marking_condition"] as? String == "restored")
                #expect(read["restoration_method"] as? String == "chemical etching")
            }

            // A clerk's correction answers the withheld value and keeps the stored one.
            let version = try #require(try await app.request(.get, "/v1/firearms/\(firearmID)", token: clerk).object["version"] as? Int)
            let corrected = try await app.request(.patch, "/v1/firearms/\(firearmID)", token: clerk, json: #"{"notes":"barrel replaced"}"#,
                                                  headers: [.ifMatch: "\"\(version)\""])
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(try corrected.object["restoration_case"] is NSNull)
            #expect(try await app.request(.get, "/v1/firearms/\(firearmID)", token: owner).object["restoration_case"] as? String == reference)
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE id = \(UUID(uuidString: firearmID)!) AND restoration_case = \(reference)") == 1)

            // Joined to the team, the colleague sees it.
            let colleagueID = try #require(try await CaseNeedToKnowTests.me(app, colleague)["id"] as? String)
            let added = try await app.request(.post, "/v1/cases/\(caseID)/members", token: owner,
                                              json: #"{"user_id":"\#(colleagueID)","reason":"second examiner of the restoration"}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(try await app.request(.get, "/v1/firearms/\(firearmID)", token: colleague).object["restoration_case"] as? String == reference)
        }
    }

    @Test("a restoration case typed by a clerk that names no case of this node is shown as typed")
    func referenceOfNoCaseIsShown() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let created = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm(extra: #","marking_condition":"restored","restoration_method":"magnetic particle","restoration_case":"FC-2019-000777""#))
            #expect(created["restoration_case"] as? String == "FC-2019-000777")
            let id = try #require(created["id"] as? String)
            #expect(try await app.request(.get, "/v1/firearms/\(id)", token: clerk).object["restoration_case"] as? String == "FC-2019-000777")
        }
    }
}
