import Foundation
import IFCCore
import PostgresNIO
@testable import Registry
import Testing

/// Issue 15's prepared reads: PostgreSQL may run a prepared statement on a generic plan (its
/// parameters unknown), so each must be servable by indexes without knowing them.
@Suite("Registry hot-path statements")
struct RegistryHotPathTests {
    /// The plan of `sql` prepared with `types`, executed with `arguments` under a generic plan,
    /// with table scans priced out: a plan that still scans a table has no index for it.
    static func genericPlan(_ database: TestDatabase, _ sql: String, types: String, arguments: String) async throws -> String {
        try await database.asApp { connection in
            for setting in ["SET enable_seqscan = off", "SET plan_cache_mode = force_generic_plan",
                            "PREPARE hot(\(types)) AS \(sql)"] {
                _ = try await connection.query(PostgresQuery(unsafeSQL: setting), logger: TestCluster.logger).collect()
            }
            var plan = ""
            for try await line in try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN EXECUTE hot(\(arguments))"),
                                                             logger: TestCluster.logger).decode(String.self) {
                plan += line + "\n"
            }
            return plan
        }
    }

    @Test("the firearm read (firearm, flags, licences, components in one statement) and the exact-serial list use indexes on a generic plan")
    func preparedReadsUseIndexes() async throws {
        try await withTestDatabase { database in
            let detail = try await Self.genericPlan(database, FirearmStore.DetailStatement.sql, types: "uuid",
                                                    arguments: "'00000000-0000-4000-8000-000000000001'")
            #expect(!detail.contains("Seq Scan"), "\(detail)")
            #expect(detail.contains("firearms_pkey"), "\(detail)")
            #expect(detail.contains("licence_firearms_firearm"), "\(detail)")
            #expect(detail.contains("components_firearm"), "\(detail)")
            let serial = try await Self.genericPlan(database, FirearmStore.SerialStatement.sql, types: "text, text, bigint",
                                                    arguments: "'AB12345', NULL, 51")
            #expect(!serial.contains("Seq Scan"), "\(serial)")
            #expect(serial.contains("firearms_serial"), "\(serial)")
        }
    }
}
