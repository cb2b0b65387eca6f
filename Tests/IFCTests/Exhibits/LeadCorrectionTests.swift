import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// A lead's decision is corrected, never overwritten (issue 25): a new decision names the current
/// one it replaces with the reason, the lead keeps every decision, clusters follow the current one,
/// and the table refuses a decision change without its record.
@Suite("Exhibits: correcting a lead's decision")
struct LeadCorrectionTests {
    static func decide(_ app: TestApp, _ lead: String, _ token: String, _ json: String) async throws -> TestResponse {
        try await app.request(.post, "/v1/leads/\(lead)/decision", token: token, json: json)
    }

    @Test("an elimination is corrected to a hit naming it with the reason: both decisions are kept, the cluster follows; a stale or unreasoned correction is refused; the table refuses a change without its decision")
    func correction() async throws {
        try await withTestApp { app in
            let first = try await app.token(roles: [.examiner], username: "examiner-a")
            let second = try await app.token(roles: [.examiner], username: "examiner-b")
            let analyst = try await app.token(roles: [.analyst], clearance: .restricted)
            let (caseA, a) = try await ExhibitLeadTests.casing(app, examiner: first)
            let (caseB, b) = try await ExhibitLeadTests.casing(app, examiner: first)
            let lead = try await ExhibitLeadTests.lead(app, examiner: first, a, b)
            // A first decision names nothing to replace.
            let premature = try await Self.decide(app, lead, first, #"{"decision":"elimination","replaces":"\#(UUID())","reason":"x"}"#)
            #expect(try premature.problemFields == ["replaces"])
            let eliminated = try await Self.decide(app, lead, first, #"{"decision":"elimination","note":"different firing pin impressions"}"#)
            #expect(eliminated.status == .ok, "\(eliminated.text)")
            let firstDecision = try #require(try eliminated.object["decision_id"] as? String)
            #expect(try await ExhibitLeadTests.clusterCases(app, caseA, as: analyst) == [caseA])

            // Decided: a new decision without naming the one it replaces is 409; naming it without a
            // reason is 422; naming another is 409 (stale).
            let verified = try await ExhibitLeadTests.comparison(app, caseID: caseA, examiner: first, verifier: second)
            let bare = try await Self.decide(app, lead, first, #"{"decision":"identification","examination_id":"\#(verified)"}"#)
            #expect(bare.status == .conflict)
            #expect(try bare.object["type"] as? String == "urn:ifcd:problem:lead-decided")
            let unreasoned = try await Self.decide(app, lead, first, #"{"decision":"identification","examination_id":"\#(verified)","replaces":"\#(firstDecision)"}"#)
            #expect(try unreasoned.problemFields == ["reason"])
            let stale = try await Self.decide(app, lead, first, #"{"decision":"identification","examination_id":"\#(verified)","replaces":"\#(UUID())","reason":"re-examined"}"#)
            #expect(stale.status == .conflict)
            #expect(try stale.object["type"] as? String == "urn:ifcd:problem:decision-stale")

            // The correction: a hit, the cluster joins both cases.
            let corrected = try await Self.decide(app, lead, first, #"{"decision":"identification","examination_id":"\#(verified)","replaces":"\#(firstDecision)","reason":"re-examined under the comparison microscope: the earlier elimination compared the wrong test-fire"}"#)
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(try corrected.object["status"] as? String == "identification")
            let secondDecision = try #require(try corrected.object["decision_id"] as? String)
            #expect(secondDecision != firstDecision)
            #expect(try await ExhibitLeadTests.clusterCases(app, caseA, as: analyst) == [caseA, caseB])

            let history = try ForensicsCaseTests.list(try await app.request(.get, "/v1/leads/\(lead)/decisions", token: analyst))
            #expect(history.map { $0["decision"] as? String } == ["elimination", "identification"])
            #expect(history.map { $0["current"] as? Bool } == [false, true])
            #expect(history[1]["replaces_id"] as? String == firstDecision)
            #expect((history[1]["reason"] as? String)?.hasPrefix("re-examined") == true)
            #expect(history[0]["note"] as? String == "different firing pin impressions")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'lead.redecide' AND detail->>'replaces' = \(firstDecision)") == 1)

            // The replaced decision cannot be replaced again (the line has one end), and the table
            // refuses a lead whose decision changes without a recorded decision.
            let again = try await Self.decide(app, lead, first, #"{"decision":"inconclusive","replaces":"\#(firstDecision)","reason":"x"}"#)
            #expect(again.status == .conflict)
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE exhibit_leads SET status = 'inconclusive', examination_id = NULL WHERE id = \(UUID(uuidString: lead)!)",
                                           logger: TestCluster.logger)
                }
            }
            await #expect(throws: (any Error).self) {
                try await app.database.asOwner {
                    _ = try await $0.query("UPDATE exhibit_lead_decisions SET reason = 'rewritten'", logger: TestCluster.logger)
                }
            }
            // A withdrawn hit is not decided again.
            #expect(try await app.request(.post, "/v1/leads/\(lead)/withdrawal", token: first, json: #"{"reason":"the comparison was voided"}"#).status == .ok)
            let afterWithdrawal = try await Self.decide(app, lead, first, #"{"decision":"inconclusive","replaces":"\#(secondDecision)","reason":"x"}"#)
            #expect(try afterWithdrawal.object["type"] as? String == "urn:ifcd:problem:lead-withdrawn")
        }
    }
}
