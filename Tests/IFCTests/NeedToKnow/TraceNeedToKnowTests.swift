import Foundation
import HTTPTypes
import IFCCore
import PostgresNIO
import Testing

/// Need-to-know on tracing requests (issue 24): a trace's clearance and team, as for cases, and a
/// trace made from a case following that case.
@Suite("Need-to-know: traces")
struct TraceNeedToKnowTests {
    static func body(_ app: TestApp, _ level: String, extra: String = "") -> String {
        TracingTests.complete(app, extra: extra).replacingOccurrences(of: #""confidentiality":"restricted""#,
                                                                      with: #""confidentiality":"\#(level)""#)
    }

    static func listed(_ app: TestApp, _ token: String) async throws -> Set<String> {
        let page = try await app.request(.get, "/v1/traces?limit=500", token: token).object
        return Set((page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    static func userID(_ app: TestApp, _ token: String) async throws -> String {
        try #require(try await app.request(.get, "/v1/me", token: token).object["id"] as? String)
    }

    static let paths = ["", "/history", "/messages", "/document", "/members"]

    @Test("a secret trace is seen by its cleared members only: 404 and absent from the list for a non-member and for a member without clearance, with a denied entry; visible once added by a member; the team's rules refuse an uncleared member, a role that reads no trace and a non-member's change; the last member stays")
    func secretTraceIsSeenByItsTeamOnly() async throws {
        try await withTestApp { app in
            let drafter = try await app.token(roles: [.liaison], clearance: .secret)
            let colleague = try await app.token(roles: [.liaison], clearance: .secret)
            let uncleared = try await app.token(roles: [.liaison], clearance: .confidential)
            let analyst = try await app.token(roles: [.analyst], clearance: .restricted)
            let clerk = try await app.token(roles: [.clerk], clearance: .secret)
            // A level above one's own clearance is refused: the trace would hide from its drafter.
            #expect(try await app.request(.post, "/v1/traces", token: uncleared, json: Self.body(app, "secret")).problemFields == ["confidentiality"])
            let id = try TracingTests.id(try await TracingTests.create(app, drafter, Self.body(app, "secret")))
            let ordinary = try TracingTests.id(try await TracingTests.create(app, drafter, Self.body(app, "restricted")))
            for path in Self.paths {
                let seen = try await app.request(.get, "/v1/traces/\(id)\(path)", token: drafter)
                #expect(seen.status == .ok, "\(path): \(seen.status) \(seen.text)")
            }
            #expect(try await Self.listed(app, drafter).isSuperset(of: [id, ordinary]))
            for token in [colleague, uncleared, analyst] {
                for path in Self.paths {
                    #expect(try await app.request(.get, "/v1/traces/\(id)\(path)", token: token).status == .notFound, "\(path)")
                }
                let listed = try await Self.listed(app, token)
                #expect(!listed.contains(id) && listed.contains(ordinary))
            }
            // Writes are 404 too: its existence is not disclosed by a 409 or a 412.
            #expect(try await app.request(.patch, "/v1/traces/\(id)", token: colleague, json: #"{"urgency":"routine"}"#,
                                          headers: [.ifMatch: "\"1\""]).status == .notFound)
            #expect(try await TracingTests.post(app, colleague, "/v1/traces/\(id)/send").status == .notFound)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'trace.denied' AND record_id = \(id) AND outcome = 'denied'
                  AND detail->>'rule' = 'a secret trace is seen by the members of its team only'
                """) >= 1)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'trace.denied' AND record_id = \(id)
                  AND detail->>'rule' = 'clearance confidential is below the trace''s secret'
                """) >= 1)

            // The drafter adds the colleague with a reason: they see it, the change is on the trail.
            let added = try await app.request(.post, "/v1/traces/\(id)/members", token: drafter,
                                              json: #"{"user_id":"\#(try await Self.userID(app, colleague))","reason":"covers the desk while away"}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(try added.object["trace_id"] as? String == id)
            #expect(try await app.request(.get, "/v1/traces/\(id)", token: colleague).status == .ok)
            #expect(try await Self.listed(app, colleague).contains(id))
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'trace.member.add' AND record_id = \(id)") == 1)
            // An uncleared user and a clerk (no role that reads traces) are not added.
            let low = try await app.request(.post, "/v1/traces/\(id)/members", token: drafter,
                                            json: #"{"user_id":"\#(try await Self.userID(app, uncleared))","reason":"help"}"#)
            #expect(try low.problemFields == ["user_id"])
            let wrongRole = try await app.request(.post, "/v1/traces/\(id)/members", token: drafter,
                                                  json: #"{"user_id":"\#(try await Self.userID(app, clerk))","reason":"help"}"#)
            #expect(try wrongRole.problemFields == ["user_id"])
            // Someone who sees a restricted trace but is not on its team does not change the team.
            let outsider = try await app.request(.post, "/v1/traces/\(ordinary)/members", token: uncleared,
                                                 json: #"{"user_id":"\#(try await Self.userID(app, uncleared))","reason":"self"}"#)
            #expect(outsider.status == .forbidden, "\(outsider.text)")

            // Removed, the colleague no longer sees it; the last member of a secret trace stays.
            let colleagueID = try await Self.userID(app, colleague)
            #expect(try await app.request(.delete, "/v1/traces/\(id)/members/\(colleagueID)", token: drafter).status == .ok)
            #expect(try await app.request(.get, "/v1/traces/\(id)", token: colleague).status == .notFound)
            let last = try await app.request(.delete, "/v1/traces/\(id)/members/\(try await Self.userID(app, drafter))", token: drafter)
            #expect(last.status == .conflict)
            #expect(try last.object["type"] as? String == "urn:ifcd:problem:last-member")
            // The database keeps memberships: never deleted, ended once.
            await #expect(throws: (any Error).self) {
                try await app.execute("DELETE FROM trace_members WHERE trace_id = \(UUID(uuidString: id)!)")
            }
        }
    }

    @Test("a trace made from a case follows the case: once the case is secret, who may not see the case no longer sees the trace (404, absent from the list), its drafter included")
    func traceFollowsItsCase() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner], clearance: .secret)
            let liaison = try await app.token(roles: [.liaison], clearance: .restricted)
            let analyst = try await app.token(roles: [.analyst], clearance: .restricted)
            let opened = try await ForensicsCaseTests.open(app, examiner: examiner)
            let caseID = try TracingTests.id(opened)
            try await LiaisonScopeTests.join(app, caseID: caseID, examiner: examiner, liaison: liaison)
            let id = try TracingTests.id(try await TracingTests.create(app, liaison, Self.body(app, "restricted", extra: #","case_id":"\#(caseID)""#)))
            #expect(try await app.request(.get, "/v1/traces/\(id)", token: analyst).status == .ok)
            let version = try #require(opened["version"] as? Int)
            let classified = try await app.request(.patch, "/v1/cases/\(caseID)", token: examiner, json: #"{"confidentiality":"secret"}"#,
                                                   headers: [.ifMatch: "\"\(version)\""])
            #expect(classified.status == .ok, "\(classified.text)")
            for token in [liaison, analyst] {
                #expect(try await app.request(.get, "/v1/traces/\(id)", token: token).status == .notFound)
                #expect(try await app.request(.get, "/v1/traces/\(id)/document", token: token).status == .notFound)
                #expect(try await !Self.listed(app, token).contains(id))
            }
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'trace.denied' AND record_id = \(id) AND detail->>'rule' LIKE 'the trace follows case%'
                """) >= 1)
        }
    }
}
