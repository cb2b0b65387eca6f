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

    @Test("the firearm read's typed nulls are its records' column types, as constants: no empty copy of a record's columns in the plan")
    func detailTypedNulls() async throws {
        try await withTestDatabase { database in
            let statement = FirearmStore.DetailStatement.self
            for (select, types) in [statement.firearmColumns, statement.licenceColumns, statement.componentColumns] {
                let found = try await database.asOwner { connection in
                    let names = (1...types.count).map { "c\($0)" }.joined(separator: ", ")
                    _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE TEMP VIEW record_columns AS SELECT * FROM (\(select) WHERE false) x(\(names))"),
                                                   logger: TestCluster.logger).collect()
                    let found = try await connection.query("""
                        SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                        WHERE attrelid = 'record_columns'::regclass AND attnum > 0 ORDER BY attnum
                        """, logger: TestCluster.logger).collect().map { try $0.decode(String.self) }
                    _ = try await connection.query("DROP VIEW record_columns", logger: TestCluster.logger).collect()
                    return found
                }
                #expect(found == types, "\(select)")
            }
            #expect(statement.licenceAt == statement.flagsAt + 1)
            #expect(statement.componentAt == statement.licenceAt + statement.licenceColumns.types.count)
            let plan = try await Self.genericPlan(database, statement.sql, types: "uuid", arguments: "'00000000-0000-4000-8000-000000000001'")
            #expect(!plan.contains("One-Time Filter: false"), "an empty subquery stands in for typed nulls: \(plan)")
        }
    }
}
