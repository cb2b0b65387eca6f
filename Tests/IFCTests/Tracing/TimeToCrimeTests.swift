import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCServer
import IFCTracing
import Testing

/// Time-to-crime as a tracing analyst reads it (issue 25): only dates before the recovery count (a
/// sale or import after it is refused when the answer is recorded, naming both dates), the
/// short-time-to-crime threshold is a setting, and a request without a recovery date says so
/// instead of counting from the incident's date.
@Suite("Tracing: time-to-crime")
struct TimeToCrimeTests {
    static func answered(_ app: TestApp, _ liaison: String, sale: String, imported: String = "2024-02-01") async throws -> (String, TestResponse) {
        let trace = try await TracingTests.sent(app, liaison, deadline: TracingTests.day(app, 10))
        #expect(try await TracingTests.post(app, liaison, trace + "/messages", TracingTests.ack).status == .created)
        return (trace, try await TracingTests.post(app, liaison, trace + "/messages", TracingTests.traced(sale: sale, imported: imported)))
    }

    @Test("a retail sale or an import dated after the recovery is refused (409 naming both dates) and nothing is recorded; the trace stays acknowledged")
    func saleAfterRecoveryIsRefused() async throws {
        try await withTestApp { app in
            let liaison = try await app.token(roles: [.liaison])
            // Recovered 2025-03-01 (TracingTests.complete).
            let (trace, late) = try await Self.answered(app, liaison, sale: "2025-04-01")
            #expect(late.status == .conflict, "\(late.text)")
            #expect(try late.object["type"] as? String == "urn:ifcd:problem:transfer-after-recovery")
            let detail = try #require(try late.object["detail"] as? String)
            #expect(detail.contains("2025-04-01") && detail.contains("2025-03-01") && detail.contains("answer.transfers[2]"), "\(detail)")
            let read = try await app.request(.get, trace, token: liaison).object
            #expect(read["status"] as? String == "acknowledged")
            #expect(read["answer"] is NSNull)
            let traceID = try #require(UUID(uuidString: String(trace.split(separator: "/").last!)))
            #expect(try await app.count("SELECT count(*) FROM trace_messages WHERE trace_id = \(traceID) AND kind = 'answer'") == 0)
            // An import after the recovery likewise; the same answer dated before it is recorded.
            let (_, imported) = try await Self.answered(app, liaison, sale: "2024-06-01", imported: "2025-03-02")
            #expect(imported.status == .conflict, "\(imported.text)")
            let (_, fine) = try await Self.answered(app, liaison, sale: "2025-03-01")
            #expect(fine.status == .created, "\(fine.text)")
        }
    }

    @Test("the short time-to-crime threshold is the configured one (tracing.timeToCrimeYears)")
    func thresholdIsASetting() async throws {
        // Sold 2024-01-15, recovered 2025-03-01: 411 days, under the default 3 years, not under 1.
        try await withTestApp(configure: { $0.tracingTimeToCrimeYears = 1 }) { app in
            let liaison = try await app.token(roles: [.liaison])
            let (trace, answer) = try await Self.answered(app, liaison, sale: "2024-01-15", imported: "2023-11-01")
            #expect(answer.status == .created, "\(answer.text)")
            let ttc = try #require(try await app.request(.get, trace, token: liaison).object["time_to_crime"] as? [String: Any])
            #expect(ttc["days_from_first_retail_sale"] as? Int == 411)
            #expect(ttc["threshold_years"] as? Int == 1)
            #expect(ttc["under_threshold"] as? Bool == false)
            #expect(ttc["unavailable"] is NSNull)
        }
        #expect(try await AppConfig.load(file: nil, environment: ["IFCD_TRACING_TIME_TO_CRIME_YEARS": "5"]).tracingTimeToCrimeYears == 5)
        await #expect(throws: (any Error).self) {
            _ = try await AppConfig.load(file: nil, environment: ["IFCD_TRACING_TIME_TO_CRIME_YEARS": "0"])
        }
    }

    @Test("without a recovery date the time-to-crime is unavailable and says why; a sale after the recovery does not count")
    func unavailableWithoutRecovery() throws {
        let us = try #require(Country("US"))
        let sale = TransferStep(on: try #require(CalendarDate("2024-06-01")), kind: .retailSale, from: "Gun Shop Inc", to: "J. Doe", country: us)
        let answer = TraceAnswer(outcome: .traced, transfers: [sale])
        let none = try #require(answer.timeToCrime(recoveredOn: nil, thresholdYears: 3))
        #expect(none.daysFromFirstRetailSale == nil && none.underThreshold == false)
        #expect(none.unavailable?.contains("recovery date") == true)
        let before = try #require(answer.timeToCrime(recoveredOn: CalendarDate("2024-05-01"), thresholdYears: 3))
        #expect(before.daysFromFirstRetailSale == nil && before.underOneYear == false, "a sale after the recovery is never a negative time-to-crime")
        #expect(before.unavailable?.contains("before the recovery") == true)
        #expect(TraceAnswer(outcome: .notTraced, notTracedReason: .recordTooOld).timeToCrime(recoveredOn: nil, thresholdYears: 3) == nil)
    }

    @Test("a trace drafted from a case takes the case's offence but not its incident date as the recovery date: sending it asks for one")
    func caseIncidentIsNotTheRecovery() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let liaison = try await app.token(roles: [.liaison])
            let caseID = try TracingTests.id(try await ForensicsCaseTests.open(app, examiner: examiner))
            try await LiaisonScopeTests.join(app, caseID: caseID, examiner: examiner, liaison: liaison)
            let body = TracingTests.complete(app, extra: #","case_id":"\#(caseID)""#).replacingOccurrences(of: #""recovered_on":"2025-03-01","#, with: "")
            let draft = try await TracingTests.create(app, liaison, body)
            let circumstances = try #require(draft["circumstances"] as? [String: Any])
            #expect(circumstances["recovered_on"] is NSNull)
            #expect(circumstances["crime_type"] as? String == "shooting")
            let send = try await TracingTests.post(app, liaison, "/v1/traces/\(try TracingTests.id(draft))/send")
            #expect(try send.problemFields == ["circumstances.recovered_on"], "\(send.text)")
        }
    }
}
