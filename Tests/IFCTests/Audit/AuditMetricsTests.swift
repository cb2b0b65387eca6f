import Foundation
import HTTPTypes
import IFCCore
import Testing

/// The read audit's group commit in `/metrics` (issue 15): how many entries each commit carried,
/// how long it took, and how many flushes ran at once, so the suite can show reads sharing commits.
@Suite("Audit group commit metrics")
struct AuditMetricsTests {
    /// The value of a sample line `name value` in Prometheus text, if present.
    static func sample(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("each committed read batch shows in /metrics: its entries, its flush time, the flushes in flight")
    func batchesAreExported() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            let before = try await app.request(.get, "/metrics").text
            #expect((Self.sample("ifcd_audit_batch_entries_count", in: before) ?? 0) == 0)
            for _ in 0..<3 { #expect(try await app.request(.get, "/v1/users", token: admin).status == .ok) }
            let after = try await app.request(.get, "/metrics").text
            let batches = try #require(Self.sample("ifcd_audit_batch_entries_count", in: after))
            let entries = try #require(Self.sample("ifcd_audit_batch_entries_sum", in: after))
            // Three reads of a list of one user: three entries, in one to three commits.
            #expect((1...3).contains(batches))
            #expect(entries == 3)
            #expect(try #require(Self.sample("ifcd_audit_flush_seconds_count", in: after)) == batches)
            #expect(try #require(Self.sample("ifcd_audit_flush_seconds_sum", in: after)) > 0)
            #expect(try #require(Self.sample("ifcd_audit_flushes_in_flight_count", in: after)) == batches)
        }
    }
}
