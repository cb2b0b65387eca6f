import Foundation
import IFCCore
@testable import IFCStore
import PostgresNIO
import Testing

@Suite("Schema migrations")
struct MigrationTests {
    static let functionAndTrigger = Migration(version: 1, name: "things", sql: """
        -- A file with a function and a trigger: semicolons inside the body must not split it.
        CREATE TABLE things (id int PRIMARY KEY, note text NOT NULL, touched int NOT NULL DEFAULT 0);
        CREATE FUNCTION things_touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.touched := OLD.touched + 1;  -- ; in a comment
            NEW.note := NEW.note || ';';
            RETURN NEW;
        END;
        $$;
        CREATE TRIGGER things_touch BEFORE UPDATE ON things FOR EACH ROW EXECUTE FUNCTION things_touch();
        /* a block comment; with /* nesting; */ still a comment */
        INSERT INTO things (id, note) VALUES (1, 'it''s; fine'), (2, E'back\\'slash;');
        """)
    static let second = Migration(version: 2, name: "more", sql: "ALTER TABLE things ADD COLUMN extra text;")

    static func migrate(_ database: TestDatabase, _ migrations: [Migration]) async throws -> [String] {
        try await database.asOwner { try await Migrator(migrations: migrations, logger: TestCluster.logger).migrate(on: $0) }
    }

    @Test("files apply in order, each once, functions and triggers included, recorded with their SHA-256")
    func appliesInOrder() async throws {
        try await withTestDatabase(empty: true) { database in
            #expect(try await Self.migrate(database, [Self.functionAndTrigger, Self.second]) == ["0001_things.sql", "0002_more.sql"])
            #expect(try await Self.migrate(database, [Self.functionAndTrigger, Self.second]) == [])
            let (touched, escaped, sha) = try await database.asOwner { connection in
                try await connection.query("UPDATE things SET note = 'x' WHERE id = 1", logger: TestCluster.logger)
                return (try await connection.scalar("SELECT note || '/' || touched FROM things WHERE id = 1", as: String.self),
                        try await connection.scalar("SELECT note FROM things WHERE id = 2", as: String.self),
                        try await connection.scalar("SELECT sha256 FROM schema_migrations WHERE version = 1", as: String.self))
            }
            #expect(touched == "x;/1")
            #expect(escaped == "back'slash;")
            #expect(sha == Self.functionAndTrigger.sha256)
        }
    }

    @Test("a changed applied file stops start-up with a clear message")
    func refusesChangedFile() async throws {
        try await withTestDatabase(empty: true) { database in
            _ = try await Self.migrate(database, [Self.functionAndTrigger])
            let edited = Migration(version: 1, name: "things", sql: Self.functionAndTrigger.sql + "\n-- edited\n")
            do {
                _ = try await Self.migrate(database, [edited, Self.second])
                Issue.record("a changed migration was accepted")
            } catch let error as MigrationError {
                guard case .changedAfterApply(let file, _, _) = error else { Issue.record("wrong error \(error)"); return }
                #expect(file == "0001_things.sql")
                #expect(error.description.contains("changed after it was applied"))
            }
            // Nothing after the refusal was applied.
            let applied = try await database.asOwner { try await $0.scalar("SELECT count(*) FROM schema_migrations", as: Int.self) }
            #expect(applied == 1)
        }
    }

    @Test("a failing file is rolled back whole and not recorded")
    func failingFileRollsBack() async throws {
        try await withTestDatabase(empty: true) { database in
            let bad = Migration(version: 1, name: "bad", sql: "CREATE TABLE half (id int); SELECT no_such_function();")
            await #expect(throws: MigrationError.self) { _ = try await Self.migrate(database, [bad]) }
            let (absent, recorded) = try await database.asOwner { connection in
                (try await connection.scalar("SELECT to_regclass('half') IS NULL", as: Bool.self),
                 try await connection.scalar("SELECT count(*) FROM schema_migrations", as: Int.self))
            }
            #expect(absent == true)
            #expect(recorded == 0)
        }
    }

    @Test("two migrators waiting on the advisory lock at the same time apply each file exactly once")
    func concurrentStarts() async throws {
        try await withTestDatabase(empty: true) { database in
            let files = [Migration(version: 1, name: "once", sql: "CREATE TABLE once (id int);"), Self.second.renamed("once")]
            // A third session holds the migrators' lock, so that both are provably waiting on it at
            // the same time before either may start: the overlap is observed, not hoped for.
            let holder = try await database.ownerSettings.connect(logger: TestCluster.logger)
            try await holder.query("SELECT pg_advisory_lock(\(Migrator.lockKey))", logger: TestCluster.logger)
            var migrators: [(pid: Int32, connection: PostgresConnection)] = []
            for _ in 0..<2 {
                let connection = try await database.ownerSettings.connect(logger: TestCluster.logger)
                let pid = try #require(try await connection.scalar("SELECT pg_backend_pid()", as: Int32.self))
                migrators.append((pid, connection))
            }
            let pids = migrators.map(\.pid)
            let runs = migrators.map { migrator in
                Task { try await Migrator(migrations: files, logger: TestCluster.logger).migrate(on: migrator.connection) }
            }
            // A bigint advisory key shows in pg_locks as classid (high half), objid (low half), objsubid 1.
            var waiting: [Int32] = []
            for _ in 0..<400 where waiting.count < 2 {
                waiting = []
                for try await pid in try await holder.query("""
                    SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND NOT l.granted AND l.pid = ANY(\(pids))
                      AND l.classid::int8 = \(Int64(Migrator.lockKey >> 32)) AND l.objid::int8 = \(Int64(Migrator.lockKey & 0xFFFF_FFFF)) AND l.objsubid = 1
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND a.wait_event_type = 'Lock' AND a.wait_event = 'advisory'
                    """, logger: TestCluster.logger).decode(Int32.self) { waiting.append(pid) }
                if waiting.count < 2 { try await Task.sleep(for: .milliseconds(25)) }
            }
            #expect(Set(waiting) == Set(pids), "both migrators must wait on the lock together; waiting: \(waiting) of \(pids)")
            let appliedBeforeRelease = try await holder.scalar("SELECT to_regclass('schema_migrations') IS NOT NULL", as: Bool.self)
            #expect(appliedBeforeRelease == false, "nothing may run while the lock is held")
            try await holder.query("SELECT pg_advisory_unlock(\(Migrator.lockKey))", logger: TestCluster.logger)
            var results: [[String]] = []
            for run in runs { results.append(try await run.value) }
            #expect(results.map(\.count).sorted() == [0, 2], "one migrator applies both files, the other none: \(results)")
            let recorded = try await holder.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations", as: String.self)
            #expect(recorded == "1,2")
            for connection in migrators.map(\.connection) + [holder] { try await connection.close() }
        }
    }

    @Test("the shipped schema applies to an empty database, and the app role gets only what it needs")
    func shippedSchema() async throws {
        try await withTestDatabase(empty: true) { database in
            let migrations = try Migration.bundled()
            #expect(migrations.map(\.version) == Array(1...migrations.count))
            _ = try await Self.migrate(database, migrations)
            let privileges = try await database.asOwner { connection -> [String] in
                let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT privilege_type FROM information_schema.role_table_grants
                    WHERE grantee = 'ifcd_app' AND table_name = 'audit_entries' ORDER BY 1
                    """), logger: TestCluster.logger)
                var names: [String] = []
                for try await name in rows.decode(String.self) { names.append(name) }
                return names
            }
            #expect(privileges == ["INSERT", "SELECT"])
        }
    }

    @Test("the splitter keeps quoted, dollar-quoted and commented semicolons")
    func splitter() {
        #expect(SQLSplitter.split("SELECT 1; SELECT 2;") == ["SELECT 1", "SELECT 2"])
        #expect(SQLSplitter.split("SELECT ';'; SELECT \"a;b\" FROM t") == ["SELECT ';'", "SELECT \"a;b\" FROM t"])
        #expect(SQLSplitter.split("DO $x$ BEGIN PERFORM 1; END $x$; SELECT $1") == ["DO $x$ BEGIN PERFORM 1; END $x$", "SELECT $1"])
        #expect(SQLSplitter.split("-- only a comment;\n") == [])
        #expect(SQLSplitter.split("SELECT 1 /* a; /* b; */ c; */ ;") == ["SELECT 1 /* a; /* b; */ c; */"])
        #expect(SQLSplitter.split("SELECT E'\\';'; SELECT 'x''y;'") == ["SELECT E'\\';'", "SELECT 'x''y;'"])
    }
}

extension Migration {
    func renamed(_ table: String) -> Migration {
        Migration(version: version, name: name, sql: "CREATE TABLE \(table)_\(name) (id int);")
    }
}
