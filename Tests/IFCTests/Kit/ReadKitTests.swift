import Foundation
import HTTPTypes
import IFCCore
import PostgresNIO
import Testing

/// The kit's one path for reads: `AuditedRead.one` and `.page`, which every module's read-one
/// and list go through.
@Suite("Kit: audited reads")
struct ReadKitTests {
    static func entries(_ app: TestApp, action: String, record: String? = nil) async throws -> Int {
        try await app.database.asOwner {
            try await $0.scalar("""
                SELECT count(*) FROM audit_entries
                WHERE action = \(action) AND (\(record)::text IS NULL OR lower(record_id) = lower(\(record)))
                """, as: Int.self)
        } ?? -1
    }

    @Test("a read-one writes its read entry before answering; an absent record is 404 with no read entry")
    func readOne() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let caseID = try await ExhibitsTests.openCase(app, examiner: examiner)
            #expect(try await app.request(.get, "/v1/cases/\(caseID)", token: examiner).status == .ok)
            #expect(try await Self.entries(app, action: "case.read", record: caseID) == 1)
            let absent = UUID().uuidString.lowercased()
            let missing = try await app.request(.get, "/v1/cases/\(absent)", token: examiner)
            #expect(missing.status == .notFound)
            #expect(missing.isProblem)
            #expect(try await Self.entries(app, action: "case.read", record: absent) == 0)
        }
    }

    @Test("a page writes one list entry per record shown, none for the records it did not show")
    func page() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            _ = try await ExhibitsTests.openCase(app, examiner: examiner)
            _ = try await ExhibitsTests.openCase(app, examiner: examiner)
            let listed = try await app.request(.get, "/v1/cases?limit=1", token: examiner)
            #expect(listed.status == .ok)
            let items = try #require(try listed.object["items"] as? [[String: Any]])
            #expect(items.count == 1)
            let shown = try #require(items.first?["id"] as? String)
            #expect(try await Self.entries(app, action: "case.list", record: shown) == 1)
            #expect(try await Self.entries(app, action: "case.list") == 1)
        }
    }
}
