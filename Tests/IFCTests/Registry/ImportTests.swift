import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
@testable import Registry
import Testing

@Suite("Registry bulk import")
struct ImportTests {
    static let csv = "\u{FEFF}" + #"""
        make,model,type,calibre,serial,country_of_manufacture,year_of_manufacture,notes
        Glock,17,pistol,9x19mm,ABC123,AT,2015,"seized, then returned"
        Glock,19,pistol,9x19mm,ABC-124,AT,2016,
        Taurus,PT92,bazooka,9x19mm,TX1,BR,2010,
        Ruger,10/22,rifle,.22 LR,123-45678,XX,2012,
        "Smith & Wesson",686,revolver,.357 Magnum,"AB 99 1",US,1999,"a note with ""quotes""

        on three lines"
        GLOCK,17,pistol,9X19MM,abc 123,AT,2015,same firearm again
        Colt,Python,revolver,.357 Magnum,C1,US,1975,too,many,fields

        """#

    static func post(_ app: TestApp, _ token: String, _ body: String, query: String = "", contentType: String = "text/csv") async throws -> TestResponse {
        try await app.request(.post, "/v1/imports/firearms" + query, token: token, json: body, headers: [.contentType: contentType])
    }

    @Test("valid rows are imported, invalid ones reported by line and column, duplicates skipped; a re-run adds nothing")
    func importAndRerun() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let first = try await Self.post(app, clerk, Self.csv)
            #expect(first.status == .ok, "\(first.text)")
            let report = try first.object
            #expect(report["rows"] as? Int == 7)
            #expect(report["imported"] as? Int == 3)
            #expect(report["duplicates"] as? Int == 1)
            #expect(report["invalid"] as? Int == 3)
            let errors = (report["errors"] as? [[String: Any]]) ?? []
            let described = Set(errors.map { "\($0["line"] as? Int ?? 0):\($0["column"] as? String ?? "")" })
            #expect(described == ["4:type", "5:country_of_manufacture", "10:row"], "\(errors)")
            #expect(try await app.count("SELECT count(*) FROM firearms") == 3)
            #expect(try await app.count("SELECT count(*) FROM firearm_versions WHERE change = 'imported'") == 3)
            // References are issued in line order, from the registry's one series.
            let order = try await app.database.asOwner { connection -> [String] in
                var out: [String] = []
                let rows = try await connection.query("SELECT serial_marked FROM firearms ORDER BY reference", logger: TestCluster.logger)
                for try await serial in rows.decode(String.self) { out.append(serial) }
                return out
            }
            #expect(order == ["ABC123", "ABC-124", "AB 99 1"])
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE serial_marked = 'AB 99 1' AND notes = 'a note with \"quotes\"' || chr(10) || chr(10) || 'on three lines'") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.import'") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.import.batch'") == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create' AND record_type = 'firearm'") == 3)
            // An imported firearm's first version is the record as the API shows it.
            let analyst = try await app.token(roles: [.analyst])
            let ids = try await app.database.asOwner { connection -> [String] in
                var ids: [String] = []
                for try await id in try await connection.query("SELECT id::text FROM firearms", logger: TestCluster.logger).decode(String.self) { ids.append(id) }
                return ids
            }
            #expect(ids.count == 3)
            for id in ids {
                var current = try await app.request(.get, "/v1/firearms/\(id)", token: analyst).object
                #expect((current.removeValue(forKey: "licences") as? [Any])?.isEmpty == true)
                #expect((current.removeValue(forKey: "components") as? [Any])?.isEmpty == true)
                // The review flags are derived from the description and shown beside the record, not in its versions.
                #expect((current.removeValue(forKey: "review_flags") as? [Any])?.isEmpty == true)
                let history = try await app.request(.get, "/v1/firearms/\(id)/history", token: analyst)
                let versions = try #require(try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]])
                #expect(versions.count == 1)
                #expect(versions.first?["change"] as? String == "imported")
                let record = try #require(versions.first?["record"] as? [String: Any])
                #expect(NSDictionary(dictionary: record).isEqual(to: current), "\(record) vs \(current)")
            }
            let again = try await Self.post(app, clerk, Self.csv)
            #expect(try again.object["imported"] as? Int == 0)
            #expect(try again.object["duplicates"] as? Int == 4)
            #expect(try await app.count("SELECT count(*) FROM firearms") == 3)
        }
    }

    @Test("a dry run validates and counts, and writes nothing")
    func dryRun() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let response = try await Self.post(app, clerk, Self.csv, query: "?dry_run=true")
            // As the real run counts: the file's repeat of its first firearm is a duplicate.
            #expect(try response.object["imported"] as? Int == 3)
            #expect(try response.object["duplicates"] as? Int == 1)
            #expect(try response.object["dry_run"] as? Bool == true)
            #expect(try await app.count("SELECT count(*) FROM firearms") == 0)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.import.dry_run'") == 1, "a dry run reads the registry")
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action IN ('firearm.import', 'firearm.import.batch', 'firearm.create')") == 0)
        }
    }

    @Test("a bad header, an empty body, a wrong content type or a reader's token are refused before anything is written")
    func refusals() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let unknown = try await Self.post(app, clerk, "make,type,calibre,serial,colour\nGlock,pistol,9mm,A1,black\n")
            #expect(unknown.status == .unprocessableContent)
            #expect(try unknown.problemFields == ["colour"])
            let missing = try await Self.post(app, clerk, "make,type,serial\nGlock,pistol,A1\n")
            #expect(try missing.problemFields == ["calibre"])
            #expect(try await Self.post(app, clerk, "").status == .unprocessableContent)
            #expect(try await Self.post(app, clerk, "make,type,calibre,serial\n\"open", contentType: "text/csv").status == .unprocessableContent)
            #expect(try await Self.post(app, clerk, "{}", contentType: "application/json").status == .unsupportedMediaType)
            let analyst = try await app.token(roles: [.analyst])
            #expect(try await Self.post(app, analyst, Self.csv).status == .forbidden)
            #expect(try await app.count("SELECT count(*) FROM firearms") == 0)
        }
    }

    @Test("large inputs stream through in batches, each committed with its audit entry")
    func batches() async throws {
        try await withTestApp { app in
            var lines = ["make,type,calibre,serial"]
            for index in 0..<25 { lines.append("Glock,pistol,9mm,S\(index)") }
            let bytes = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
            // Fed in 7-byte pieces, so records straddle chunks.
            let chunks = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min($0 + 7, bytes.count)]) }
            let importer = FirearmImport(database: app.store, principal: .cli(osUser: "test"), requestID: nil, dryRun: false,
                                         batchSize: 10, logger: TestCluster.logger)
            let report = try await importer.run(AsyncChunks(chunks: chunks))
            #expect(report.rows == 25)
            #expect(report.imported == 25)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.import.batch'") == 3)
        }
    }

    @Test("rows reach the registry through COPY byte for byte: backslashes, a literal \\N, tabs and line breaks survive")
    func copyEscaping() async throws {
        try await withTestApp { app in
            let notes = "tab\there\\N and \\\\ back\\slash\r\nnext line\\t"
            let csv = "make,model,type,calibre,serial,importer,notes\n"
                + "Glock,\\N,pistol,9x19mm,AB\\12,\\N,\"\(notes.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
                + "Glock,17,pistol,9x19mm,AB13,,\n"
            let importer = FirearmImport(database: app.store, principal: .cli(osUser: "test"), requestID: nil, dryRun: false,
                                         logger: TestCluster.logger)
            let report = try await importer.run(AsyncChunks(chunks: [Array(csv.utf8)]))
            #expect(report.imported == 2, "\(report.errors)")
            let stored = try await app.database.asOwner { connection -> [String] in
                let rows = try await connection.query("""
                    SELECT concat_ws('|', model, serial_marked, serial_normalized, importer, notes, (notes IS NULL)::text)
                    FROM firearms ORDER BY serial_normalized
                    """, logger: TestCluster.logger)
                var out: [String] = []
                for try await text in rows.decode(String.self) { out.append(text) }
                return out
            }
            // The text "\N" is a value, not a missing one; an empty CSV field is a missing one.
            #expect(stored == ["\\N|AB\\12|AB12|\\N|\(notes)|false", "17|AB13|AB13|true"], "\(stored)")
        }
    }

    static func indexDefinitions(_ app: TestApp) async throws -> [String] {
        try await app.database.asOwner { connection -> [String] in
            var out: [String] = []
            let rows = try await connection.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'firearms' ORDER BY indexname",
                                                  logger: TestCluster.logger)
            for try await text in rows.decode(String.self) { out.append(text) }
            return out
        }
    }

    @Test("an initial load reports and records what the incremental import does, and leaves every index as it was")
    func initialLoad() async throws {
        try await withTestApp { app in
            let indexes = try await Self.indexDefinitions(app)
            #expect(indexes.count > 5)
            let importer = FirearmImport(database: app.store, principal: .cli(osUser: "test"), requestID: nil, dryRun: false,
                                         batchSize: 2, logger: TestCluster.logger)
            let report = try await importer.runInitialLoad(AsyncChunks(chunks: [Array(Self.csv.utf8)]), owner: try app.database.ownerSettings)
            #expect(report.rows == 7 && report.imported == 3 && report.duplicates == 1 && report.invalid == 3, "\(report)")
            #expect(Set(report.errors.map { "\($0.line):\($0.column)" }) == ["4:type", "5:country_of_manufacture", "10:row"])
            #expect(try await app.count("SELECT count(*) FROM firearms") == 3)
            #expect(try await app.count("SELECT count(*) FROM firearm_versions WHERE change = 'imported' AND version = 1") == 3)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.create' AND record_type = 'firearm'") == 3)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.import'") == 1)
            // Four valid rows in batches of two.
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.import.batch'") == 2)
            #expect(try await Self.indexDefinitions(app) == indexes)
            // The rebuilt indexes serve: an exact serial and a pattern search find the loaded firearm.
            let analyst = try await app.token(roles: [.analyst])
            let exact = try await app.request(.get, "/v1/firearms?serial=ABC123", token: analyst).object
            #expect((exact["items"] as? [Any])?.count == 1)
            let search = try await app.request(.get, "/v1/firearms/search?serial=ABC12*", token: analyst).object
            #expect(((search["items"] ?? search["results"]) as? [Any])?.isEmpty == false, "\(search)")
            // A second initial load of the same file adds nothing.
            let again = try await importer.runInitialLoad(AsyncChunks(chunks: [Array(Self.csv.utf8)]), owner: try app.database.ownerSettings)
            #expect(again.imported == 0 && again.duplicates == 4)
        }
    }

    @Test("an initial load is all or nothing, and refused on a registry in use")
    func initialLoadRefusals() async throws {
        try await withTestApp { app in
            let indexes = try await Self.indexDefinitions(app)
            let importer = FirearmImport(database: app.store, principal: .cli(osUser: "test"), requestID: nil, dryRun: false,
                                         batchSize: 2, logger: TestCluster.logger)
            // A quote that never ends, after four valid rows were staged: nothing stays.
            let broken = "make,type,calibre,serial\nGlock,pistol,9mm,A1\nGlock,pistol,9mm,A2\nGlock,pistol,9mm,A3\nGlock,pistol,9mm,A4\nGlock,pistol,9mm,\"A5\n"
            await #expect(throws: (any Error).self) {
                _ = try await importer.runInitialLoad(AsyncChunks(chunks: [Array(broken.utf8)]), owner: try app.database.ownerSettings)
            }
            #expect(try await app.count("SELECT count(*) FROM firearms") == 0)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action LIKE 'firearm.%'") == 0)
            #expect(try await Self.indexDefinitions(app) == indexes)
            // Past the ceiling the registry is in use: refused before a row is read.
            _ = try await importer.run(AsyncChunks(chunks: [Array(Self.csv.utf8)]))
            do {
                _ = try await importer.runInitialLoad(AsyncChunks(chunks: [Array(Self.csv.utf8)]), owner: try app.database.ownerSettings, ceiling: 2)
                Issue.record("an initial load into a registry past the ceiling was not refused")
            } catch let problem as Problem {
                #expect(problem.status == 409, "\(problem)")
            }
            #expect(try await app.count("SELECT count(*) FROM firearms") == 3)
            #expect(try await Self.indexDefinitions(app) == indexes)
            // And it is never a dry run.
            let dry = FirearmImport(database: app.store, principal: .cli(osUser: "test"), requestID: nil, dryRun: true, logger: TestCluster.logger)
            await #expect(throws: Problem.self) {
                _ = try await dry.runInitialLoad(AsyncChunks(chunks: [Array(Self.csv.utf8)]), owner: try app.database.ownerSettings)
            }
        }
    }

    @Test("the CSV reader: quotes, separators and line breaks in fields, CRLF, blank lines, unterminated quotes")
    func reader() throws {
        var reader = CSVReader()
        let records = try reader.feed(Array("a,\"b,c\",\"d\"\"e\"\r\n\r\n\"multi\nline\",,x\n".utf8))
        let fields = records.map { $0.fields }
        let lines = records.map { $0.line }
        #expect(fields == [["a", "b,c", "d\"e"], ["multi\nline", "", "x"]])
        #expect(lines == [1, 3])
        #expect(try reader.finish() == nil)
        var open = CSVReader()
        _ = try open.feed(Array("a,\"never closed\n".utf8))
        #expect(throws: CSVReader.Failure.unterminatedQuote(line: 1)) { _ = try open.finish() }
    }
}

struct AsyncChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let chunks: [[UInt8]]
    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [[UInt8]]
        mutating func next() async -> [UInt8]? { remaining.isEmpty ? nil : remaining.removeFirst() }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks) }
}
