import Foundation
import HTTPTypes
import IFCCore
import Testing

/// Need-to-know on forensic cases (issue 24): a user's clearance, a case's team, and a case that a
/// user may not see answering 404 (never 403) and absent from every list, with the refusal on the
/// trail.
@Suite("Need-to-know: cases")
struct CaseNeedToKnowTests {
    static func caseBody(_ level: String) -> String {
        ForensicsCaseTests.newCase().replacingOccurrences(of: #""confidentiality":"restricted""#, with: #""confidentiality":"\#(level)""#)
    }

    static func me(_ app: TestApp, _ token: String) async throws -> [String: Any] {
        try await app.request(.get, "/v1/me", token: token).object
    }

    static func listed(_ app: TestApp, _ token: String) async throws -> Set<String> {
        let page = try await app.request(.get, "/v1/cases?limit=500", token: token).object
        return Set((page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    @Test("a secret case is seen by its cleared members only: 404 and absent from lists for a non-member and for a member without clearance, with a denied entry; visible once added; hidden again once removed")
    func secretCaseIsSeenByItsTeamOnly() async throws {
        try await withTestApp { app in
            let owner = try await app.token(roles: [.examiner], clearance: .secret)
            let colleague = try await app.token(roles: [.examiner], clearance: .secret)
            let uncleared = try await app.token(roles: [.examiner], clearance: .confidential)
            let analyst = try await app.token(roles: [.analyst], clearance: .restricted)
            #expect(try await Self.me(app, owner)["clearance"] as? String == "secret")
            let secret = try await ForensicsCaseTests.open(app, examiner: owner, Self.caseBody("secret"))
            let id = try TracingTests.id(secret)
            let ordinary = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: owner))

            // The creator is its first member and sees it (every route below answers them); nobody
            // else does, whatever their clearance.
            for path in ["/v1/cases/\(id)", "/v1/cases/\(id)/history", "/v1/cases/\(id)/examinations", "/v1/cases/\(id)/links",
                         "/v1/cases/\(id)/members", "/v1/cases/\(id)/report", "/v1/cases/\(id)/reports"] {
                let seen = try await app.request(.get, path, token: owner)
                #expect(seen.status == .ok, "\(path): \(seen.status) \(seen.text)")
            }
            #expect(try await Self.listed(app, owner).contains(id))
            for token in [colleague, uncleared, analyst] {
                for path in ["/v1/cases/\(id)", "/v1/cases/\(id)/history", "/v1/cases/\(id)/examinations", "/v1/cases/\(id)/links",
                             "/v1/cases/\(id)/members", "/v1/cases/\(id)/report", "/v1/cases/\(id)/reports"] {
                    let refused = try await app.request(.get, path, token: token)
                    #expect(refused.status == .notFound, "\(path): \(refused.status)")
                }
                let listed = try await Self.listed(app, token)
                #expect(!listed.contains(id) && listed.contains(ordinary), "hidden from the list, the restricted case still listed")
            }
            // A link from a case others may see to the secret one is not shown to them (its reference
            // would disclose it); the owner sees it.
            let link = try await app.request(.post, "/v1/cases/\(ordinary)/links", token: owner,
                                             json: #"{"kind":"case","target_id":"\#(id)","reason":"same firearm suspected"}"#)
            #expect(link.status == .created, "\(link.text)")
            #expect(try ForensicsCaseTests.list(try await app.request(.get, "/v1/cases/\(ordinary)/links", token: owner)).count == 1)
            #expect(try ForensicsCaseTests.list(try await app.request(.get, "/v1/cases/\(ordinary)/links", token: colleague)).isEmpty)
            // Writes on it are 404 too: its existence is not disclosed by a 409 or a 412.
            let patch = try await app.request(.patch, "/v1/cases/\(id)", token: colleague, json: #"{"notes":"x"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(patch.status == .notFound)
            #expect(try await app.request(.post, "/v1/cases/\(id)/examinations", token: colleague,
                                          json: #"{"kind":"operability","started_on":"2025-03-03"}"#).status == .notFound)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'case.denied' AND record_id = \(id) AND outcome = 'denied'
                  AND detail->>'rule' LIKE '%members of its team only%'
                """) >= 1)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'case.denied' AND record_id = \(id)
                  AND detail->>'rule' = 'clearance confidential is below the case''s secret'
                """) >= 1)

            // A member adds the colleague with a reason: they see it, and the change is on the trail.
            let colleagueID = try #require(try await Self.me(app, colleague)["id"] as? String)
            let added = try await app.request(.post, "/v1/cases/\(id)/members", token: owner,
                                              json: #"{"user_id":"\#(colleagueID)","reason":"second examiner of the comparison"}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(try await app.request(.get, "/v1/cases/\(id)", token: colleague).status == .ok)
            #expect(try await Self.listed(app, colleague).contains(id))
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'case.member.add' AND record_id = \(id)") == 1)
            let members = try await app.request(.get, "/v1/cases/\(id)/members", token: colleague)
            #expect(members.status == .ok)
            #expect(try ForensicsCaseTests.list(members).count == 2)
            // Twice is 409; an account without the clearance is refused, naming it.
            #expect(try await app.request(.post, "/v1/cases/\(id)/members", token: owner,
                                          json: #"{"user_id":"\#(colleagueID)","reason":"again"}"#).status == .conflict)
            let unclearedID = try #require(try await Self.me(app, uncleared)["id"] as? String)
            let refused = try await app.request(.post, "/v1/cases/\(id)/members", token: owner,
                                                json: #"{"user_id":"\#(unclearedID)","reason":"needs to see it"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.problemFields == ["user_id"])

            // Removed, they no longer see it; the last member stays.
            let removed = try await app.request(.delete, "/v1/cases/\(id)/members/\(colleagueID)", token: owner)
            #expect(removed.status == .ok, "\(removed.text)")
            #expect(try await app.request(.get, "/v1/cases/\(id)", token: colleague).status == .notFound)
            let ownerID = try #require(try await Self.me(app, owner)["id"] as? String)
            #expect(try await app.request(.delete, "/v1/cases/\(id)/members/\(ownerID)", token: owner).status == .conflict)
            // A membership is never rewritten: its end is recorded once, whatever the code does.
            await #expect(throws: (any Error).self) {
                try await app.execute("UPDATE forensic_case_members SET removed_at = now() WHERE user_id = \(UUID(uuidString: colleagueID)!)")
            }
            await #expect(throws: (any Error).self) {
                try await app.execute("DELETE FROM forensic_case_members WHERE case_id = \(UUID(uuidString: id)!)")
            }
        }
    }

    @Test("clearance: a restricted case is hidden from a standard user, a case above one's own clearance cannot be opened, an administrator sets it and the next request sees it")
    func clearanceGatesLevels() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner], clearance: .restricted)
            let standard = try await app.token(roles: [.analyst], username: "analyst.standard", clearance: .standard)
            let admin = try await app.token(roles: [.admin])
            let restricted = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner))
            let open = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner, Self.caseBody("standard")))
            #expect(try await app.request(.get, "/v1/cases/\(restricted)", token: standard).status == .notFound)
            #expect(try await app.request(.get, "/v1/cases/\(open)", token: standard).status == .ok)
            let listed = try await Self.listed(app, standard)
            #expect(listed.contains(open) && !listed.contains(restricted))

            let above = try await app.request(.post, "/v1/cases", token: examiner, json: Self.caseBody("secret"))
            #expect(above.status == .unprocessableContent)
            #expect(try above.problemFields == ["confidentiality"])
            // Raising a case to confidential needs a member cleared to it.
            let raise = try await app.request(.patch, "/v1/cases/\(open)", token: examiner, json: #"{"confidentiality":"confidential"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(raise.status == .unprocessableContent)

            // The administrator clears the analyst; their next request sees the restricted case.
            let analystID = try #require(try await Self.me(app, standard)["id"] as? String)
            let user = try await app.request(.get, "/v1/users/\(analystID)", token: admin)
            #expect(try user.object["clearance"] as? String == "standard")
            let cleared = try await app.request(.patch, "/v1/users/\(analystID)", token: admin, json: #"{"clearance":"restricted"}"#,
                                                headers: [.ifMatch: user.headers[.eTag] ?? ""])
            #expect(cleared.status == .ok, "\(cleared.text)")
            #expect(try await Self.me(app, standard)["clearance"] as? String == "restricted")
            #expect(try await app.request(.get, "/v1/cases/\(restricted)", token: standard).status == .ok)
            let bad = try await app.request(.patch, "/v1/users/\(analystID)", token: admin, json: #"{"clearance":"top"}"#,
                                            headers: [.ifMatch: "\"2\""])
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.problemFields == ["clearance"])
        }
    }
}
