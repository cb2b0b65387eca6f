import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
import Testing

/// The legal review of personal data leaving the country (issue 24): given by a user holding
/// `legal`, in their own name, never by who recorded the request; the document prints a possessor
/// only after it; an answer naming holders is sent only as reviewed, bound to the registry firearm
/// and the version of its record it disclosed. The table refuses each wrong path as well.
@Suite("Legal review of traces")
struct LegalReviewTests {
    static func withPossessor(_ app: TestApp) -> String {
        TracingTests.complete(app).replacingOccurrences(
            of: #""crime_type":"shooting""#,
            with: #""crime_type":"shooting","possessor":{"name":"John Brown","date_of_birth":"1990-04-01","nationality":"JM"}"#)
    }

    @Test("an outgoing request's review: a legal user's only (the liaison officer 403), never the drafter's even holding legal (403 legal-review-by-drafter); the table refuses the drafter, a user without legal and another approver's name; the document withholds the possessor until the review")
    func requestReview() async throws {
        try await withTestApp { app in
            let drafter = try await app.token(roles: [.liaison, .legal], username: "dual-drafter")
            let lawyer = try await app.token(roles: [.legal], username: "counsel-a")
            _ = try await app.token(roles: [.liaison], username: "plain-liaison")
            let id = try TracingTests.id(try await TracingTests.create(app, drafter, Self.withPossessor(app)))
            let uuid = try #require(UUID(uuidString: id))

            // The document leaves the building: before the review it names no possessor.
            let before = try await app.request(.get, "/v1/traces/\(id)/document", token: drafter, headers: [.accept: "application/json"])
            #expect(try before.object["personal_data_withheld"] as? Bool == true)
            #expect(!before.text.contains("John Brown"))
            let page = try await app.request(.get, "/v1/traces/\(id)/document", token: drafter, headers: [.accept: "text/html"])
            #expect(page.status == .ok && !page.text.contains("John Brown") && page.text.contains("left out of this document"))

            let own = try await TracingTests.post(app, drafter, "/v1/traces/\(id)/legal-review", #"{"note":"I approve my own request"}"#)
            #expect(own.status == .forbidden)
            #expect(try own.object["type"] as? String == "urn:ifcd:problem:legal-review-by-drafter")
            // On an outgoing request no firearm is named.
            #expect(try await TracingTests.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"firearm_id":"\#(UUID())"}"#).problemFields == ["firearm_id"])

            // Whatever the code above it does, the table refuses the drafter, a user without legal, another name.
            for (by, approver) in [("dual-drafter", "dual-drafter"), ("plain-liaison", "plain-liaison"), ("counsel-a", "Legal Adviser")] {
                await #expect(throws: (any Error).self, "\(by)") {
                    try await app.execute("""
                        UPDATE traces SET legal_review_by = \(by), legal_review_approver = \(approver), legal_review_at = now() WHERE id = \(uuid)
                        """)
                }
            }
            #expect(try await app.count("SELECT count(*) FROM traces WHERE id = \(uuid) AND legal_review_by IS NULL") == 1)

            let reviewed = try await TracingTests.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"note":"ITI para 18"}"#)
            #expect(reviewed.status == .ok, "\(reviewed.text)")
            #expect((try reviewed.object["legal_review"] as? [String: Any])?["approved_by"] as? String == "counsel-a")
            let after = try await app.request(.get, "/v1/traces/\(id)/document", token: drafter, headers: [.accept: "application/json"])
            #expect(try after.object["personal_data_withheld"] as? Bool == false)
            #expect(after.text.contains("John Brown"))
            #expect(try await TracingTests.post(app, drafter, "/v1/traces/\(id)/send").status == .ok)
        }
    }

    @Test("an answer naming holders is sent only as a lawyer reviewed it, for that firearm at that version of its record: 422 without the firearm, 409 without a review, when changed, or after the record changed; 403 when sent by its reviewer; once sent it names the firearm, version and reviewer; the table refuses an unreviewed answer and a review by the recorder")
    func boundAnswer() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let dealer = try #require(try await app.request(.post, "/v1/holders", token: clerk,
                                                            json: #"{"kind":"dealer","name":"Kingston Arms Ltd","country":"JM"}"#).object["id"] as? String)
            let buyer = try #require(try await app.request(.post, "/v1/holders", token: clerk,
                                                           json: #"{"kind":"person","name":"Ann Buyer","country":"JM"}"#).object["id"] as? String)
            let firearmID = try #require(try await RegistryTests.register(
                app, clerk: clerk, RegistryTests.firearm(serial: "BND-555", extra: #","holder_id":"\#(dealer)""#))["id"] as? String)
            let sold = try await app.request(.post, "/v1/firearms/\(firearmID)/events", token: clerk,
                                             json: #"{"kind":"transferred","transfer_kind":"domestic","occurred_on":"2024-03-05","counterpart_holder_id":"\#(buyer)"}"#)
            #expect(sold.status == .created, "\(sold.text)")
            let liaison = try await app.token(roles: [.liaison], username: "desk-officer")
            let lawyer = try await app.token(roles: [.legal], username: "counsel-b")
            let dual = try await app.token(roles: [.legal, .liaison], username: "counsel-liaison")
            let received = try await app.request(.post, "/v1/traces/incoming", token: liaison, json: TracingIncomingTests.incoming(serial: "BND555"))
            let id = try #require((try received.object["trace"] as? [String: Any])?["id"] as? String)
            func answer() async throws -> String {
                let assembled = try await app.request(.get, "/v1/traces/\(id)/registry-answer?firearm_id=\(firearmID)", token: liaison)
                #expect(assembled.status == .ok, "\(assembled.text)")
                return assembled.text
            }
            func send(_ token: String, _ answer: String, firearm: Bool = true) async throws -> TestResponse {
                let bound = firearm ? #","firearm_id":"\#(firearmID)""# : ""
                return try await app.request(.post, "/v1/traces/\(id)/messages", token: token,
                                             json: #"{"kind":"answer","direction":"sent","answer":\#(answer)\#(bound)}"#)
            }
            let first = try await answer()
            #expect(first.contains("Ann Buyer"))
            #expect(try await send(liaison, first, firearm: false).problemFields == ["firearm_id"])
            let unreviewed = try await send(liaison, first)
            #expect(unreviewed.status == .conflict)
            #expect(try unreviewed.object["type"] as? String == "urn:ifcd:problem:legal-review-required")

            // The review: by a lawyer who did not record the request, for one of its candidates.
            #expect(try await TracingTests.post(app, lawyer, "/v1/traces/\(id)/legal-review", "{}").problemFields == ["firearm_id"])
            #expect(try await TracingTests.post(app, liaison, "/v1/traces/\(id)/legal-review", #"{"firearm_id":"\#(firearmID)"}"#).status == .forbidden)
            let reviewed = try await TracingTests.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"firearm_id":"\#(firearmID)","note":"MLA art. 4"}"#)
            #expect(reviewed.status == .ok, "\(reviewed.text)")
            #expect(try await TracingTests.post(app, lawyer, "/v1/traces/\(id)/legal-review", #"{"firearm_id":"\#(firearmID)"}"#).status == .conflict)

            // Not the answer reviewed: refused.
            let altered = try await send(liaison, first.replacingOccurrences(of: "Ann Buyer", with: "Someone Else"))
            #expect(altered.status == .conflict)
            #expect(try altered.object["type"] as? String == "urn:ifcd:problem:answer-not-as-reviewed")
            // The registry's record changes after the review: it is reviewed again.
            let stolen = try await app.request(.post, "/v1/firearms/\(firearmID)/events", token: clerk,
                                               json: #"{"kind":"reported_stolen","occurred_on":"2024-09-01","agency":"JCF"}"#)
            #expect(stolen.status == .created, "\(stolen.text)")
            let stale = try await send(liaison, first)
            #expect(stale.status == .conflict)
            #expect(try stale.object["type"] as? String == "urn:ifcd:problem:legal-review-stale")
            // A reviewer who also holds liaison reviews the new record, but does not send what they approved.
            let second = try await answer()
            #expect(try await TracingTests.post(app, dual, "/v1/traces/\(id)/legal-review", #"{"firearm_id":"\#(firearmID)"}"#).status == .ok)
            let selfSent = try await send(dual, second)
            #expect(selfSent.status == .forbidden)
            #expect(try selfSent.object["type"] as? String == "urn:ifcd:problem:answer-sent-by-reviewer")
            #expect(try await app.count("SELECT count(*) FROM trace_messages WHERE trace_id = \(UUID(uuidString: id)!) AND kind = 'answer'") == 0)

            // Sent as reviewed: bound to the firearm, the version of its record and the reviewer.
            let sent = try await send(liaison, second)
            #expect(sent.status == .created, "\(sent.text)")
            let message = try sent.object
            let version = try #require(try await app.request(.get, "/v1/firearms/\(firearmID)", token: clerk).object["version"] as? Int)
            #expect(message["firearm_id"] as? String == firearmID)
            #expect(message["firearm_version"] as? Int == version)
            #expect((message["legal_review"] as? [String: Any])?["approved_by"] as? String == "counsel-liaison")
            #expect(try await app.count("""
                SELECT count(*) FROM trace_messages m JOIN trace_answer_reviews r ON r.id = m.answer_review_id
                WHERE m.trace_id = \(UUID(uuidString: id)!) AND m.firearm_id = \(UUID(uuidString: firearmID)!) AND r.reviewed_by = 'counsel-liaison'
                """) == 1)

            // The table: an answer naming holders with no review, and a review by the recorder, are refused.
            let other = try #require((try await app.request(.post, "/v1/traces/incoming", token: liaison,
                                                            json: TracingIncomingTests.incoming(serial: "BND555")).object["trace"] as? [String: Any])?["id"] as? String)
            let otherID = try #require(UUID(uuidString: other))
            await #expect(throws: (any Error).self) {
                try await app.execute("""
                    INSERT INTO trace_messages (id, trace_id, kind, direction, occurred_on, answer, outcome, recorded_by)
                    VALUES (gen_random_uuid(), \(otherID), 'answer', 'sent', current_date,
                            '{"outcome":"restricted","reason":"x","transfers":[],"last_lawful_holder":{"name":"Ann Buyer","country":"JM"}}', 'restricted', 'desk-officer')
                    """)
            }
            await #expect(throws: (any Error).self) {
                try await app.execute("""
                    INSERT INTO trace_answer_reviews (id, trace_id, firearm_id, firearm_version, answer, reviewed_by)
                    VALUES (gen_random_uuid(), \(otherID), \(UUID(uuidString: firearmID)!), 1, '{}', 'desk-officer')
                    """)
            }
        }
    }
}
