import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCHTTP
import IFCServer
import IFCStore
import PostgresNIO
@testable import Registry
import Testing

/// The kit every module shares: references, read audits with their terms, refusals on the
/// trail, values that check themselves, one JSON policy, schema names that cannot clash, and a
/// throwaway module that plugs in with nothing but its folder, its schema and one line.
@Suite("Module kit")
struct ModuleKitTests {
    @Test("a throwaway module registers a route, writes an audited record with a yearly reference and reads a registry firearm through the public API")
    func throwawayModulePlugsIn() async throws {
        try await withTestApp(additionalModules: { kit, registry in [KitDemoModule(context: kit, registry: registry.reader(for: "kitdemo"))] },
                              beforeStart: { database in
                                  let migrations = try Migration.bundled() + KitDemoModule.migrations
                                  _ = try await database.asOwner { try await Migrator(migrations: migrations, logger: TestCluster.logger).migrate(on: $0) }
                              }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let examiner = try await app.token(roles: [.examiner])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let reference = try #require(firearm["reference"] as? String)
            let response = try await app.request(.post, "/v1/kitdemo/notes", token: examiner,
                                                 json: #"{"firearm_reference":"\#(reference)","text":"seen at the range"}"#)
            #expect(response.status == .created, "\(response.text)")
            let note = try response.object
            let year = CalendarDate(app.clock.now).year
            let noteReference = try #require(note["reference"] as? String)
            #expect(noteReference.range(of: "^KD-\(year)-[0-9]{6}$", options: .regularExpression) != nil, "\(noteReference)")
            #expect(note["firearm_id"] as? String == firearm["id"] as? String)
            let noteID = try #require(note["id"] as? String)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'kitdemo.note.create' AND record_id = \(noteID)") == 1)
            // The firearm was read through the registry's API: audited as the examiner's read, via the module.
            let firearmID = try #require(firearm["id"] as? String)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'firearm.read' AND record_id = \(firearmID)
                  AND actor_id IS NOT NULL AND detail->'query'->>'via' = 'kitdemo'
                """) == 1)
            // Its route is role-checked like every other, and its refusal is on the trail.
            let refused = try await app.request(.post, "/v1/kitdemo/notes", token: clerk, json: #"{"firearm_reference":"\#(reference)","text":"x"}"#)
            #expect(refused.status == .forbidden)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'request.denied' AND detail->>'route' = 'POST /v1/kitdemo/notes'") == 1)
            // And its route and schemas are in the API document.
            #expect(app.parts.specs.contains { $0.path == "/v1/kitdemo/notes" })
            #expect(app.parts.document["components"]?["schemas"]?["KitDemoNote"] != nil)
        }
    }

    @Test("yearly references: many issued at once are all different, each of its year; a number outgrowing its padding is written in full")
    func referencesUnderConcurrency() async throws {
        try await withTestApp { app in
            let series = ReferenceSeries.yearly("TS")
            let now = app.clock.now
            let issued = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await app.store.withConnection { try await series.next(at: now, on: $0) } }
                }
                var all: [String] = []
                for try await reference in group { all.append(reference) }
                return all
            }
            #expect(issued.count == 40)
            #expect(Set(issued).count == 40, "a reference was issued twice")
            #expect(issued.allSatisfy(series.matches))
            let year = CalendarDate(now).year
            #expect(issued.allSatisfy { $0.hasPrefix("TS-\(year)-") })
            // Another year starts its own series at 1.
            let later = try #require(CalendarDate("2031-01-01")).start
            #expect(try await app.store.withConnection { try await series.next(at: later, on: $0) } == "TS-2031-000001")
            // Past the padding, the number grows instead of being cut.
            let national = ReferenceSeries.national("TN", digits: 4)
            #expect(try await app.store.withConnection { try await national.next(at: now, on: $0) } == "TN-0001")
            try await app.database.asOwner { _ = try await $0.query("SELECT setval('reference_tn', 9999)", logger: TestCluster.logger) }
            #expect(try await app.store.withConnection { try await national.next(at: now, on: $0) } == "TN-10000")
        }
    }

    @Test("a block of references comes from the series' own sequence, in order, yearly series made on first use; bad sizes refused")
    func referenceBlocks() async throws {
        try await withTestApp { app in
            let now = app.clock.now, year = CalendarDate(now).year
            func block(_ series: ReferenceSeries, _ count: Int) async throws -> [String] {
                try await app.store.withConnection { connection in
                    let rows = try await connection.query(
                        PostgresQuery(unsafeSQL: "SELECT \(series.sqlBlockExpression(at: now, count: String(count)))"), logger: TestCluster.logger)
                    for try await issued in rows.decode([String]?.self) { return issued ?? [] }
                    return []
                }
            }
            let yearly = ReferenceSeries.yearly("TB")
            #expect(try await block(yearly, 3) == ["TB-\(year)-000001", "TB-\(year)-000002", "TB-\(year)-000003"])
            // One series: the next single number follows the block, and the next block follows it.
            #expect(try await app.store.withConnection { try await yearly.next(at: now, on: $0) } == "TB-\(year)-000004")
            #expect(try await block(yearly, 2) == ["TB-\(year)-000005", "TB-\(year)-000006"])
            #expect(try await block(yearly, 0) == [])
            let national = ReferenceSeries.national("TQ", digits: 4)
            try await app.database.asOwner { _ = try await $0.query("SELECT ifcd_reference('TQ', 4, NULL)", logger: TestCluster.logger) }
            try await app.database.asOwner { _ = try await $0.query("SELECT setval('reference_tq', 9998)", logger: TestCluster.logger) }
            #expect(try await block(national, 3) == ["TQ-9999", "TQ-10000", "TQ-10001"])
            await #expect(throws: (any Error).self) { _ = try await block(national, -1) }
        }
    }

    @Test("a filtered list or search records its terms, also when nothing matched")
    func readsRecordTheirTerms() async throws {
        try await withTestApp { app in
            let analyst = try await app.token(roles: [.analyst])
            let none = try await app.request(.get, "/v1/firearms?serial=NO-SUCH-1&make=Glock", token: analyst)
            #expect(none.status == .ok)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'firearm.list' AND record_id IS NULL
                  AND detail->'query'->>'serial' = 'NO-SUCH-1' AND detail->'query'->>'make' = 'Glock'
                """) == 1)
            _ = try await app.request(.get, "/v1/holders?name=Nobody%20Here", token: analyst)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'holder.list' AND detail->'query'->>'name' = 'Nobody Here'") == 1)
            _ = try await app.request(.get, "/v1/firearms/search?serial=ZZQ*", token: analyst)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.search' AND detail->'query'->>'pattern' = 'ZZQ*'") == 1)
        }
    }

    @Test("refusals leave entries: 401 and 403 as denied with the route, a refused write as failure with the reason")
    func refusalsAreAudited() async throws {
        try await withTestApp { app in
            let analyst = try await app.token(roles: [.analyst], username: "refused-analyst")
            let clerk = try await app.token(roles: [.clerk], username: "refused-clerk")
            #expect(try await app.request(.post, "/v1/firearms", token: analyst, json: RegistryTests.firearm()).status == .forbidden)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'request.denied' AND outcome = 'denied' AND actor = 'refused-analyst'
                  AND detail->>'route' = 'POST /v1/firearms' AND detail->>'status' = '403'
                """) == 1)
            #expect(try await app.request(.get, "/v1/firearms").status == .unauthorized)
            #expect(try await app.request(.get, "/v1/holders", token: "ifcd_not-a-token").status == .unauthorized)
            let anonymous = try await app.database.asOwner { connection in
                try await connection.query("""
                    SELECT detail->>'route' FROM audit_entries WHERE action = 'request.denied' AND outcome = 'denied' AND actor = 'anonymous'
                      AND detail->>'status' = '401' ORDER BY seq
                    """, logger: TestCluster.logger).decode(String.self).reduce(into: [String]()) { $0.append($1) }
            }
            #expect(anonymous == ["GET /v1/firearms", "GET /v1/holders"])
            let bad = try await app.request(.post, "/v1/firearms", token: clerk, json: #"{"make":"Glock"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'request.refused' AND outcome = 'failure' AND actor = 'refused-clerk'
                  AND detail->>'route' = 'POST /v1/firearms' AND detail->>'status' = '422' AND detail->>'reason' LIKE '%required%'
                """) == 1)
            // A read refused for its input changes nothing and is not a refusal to record.
            _ = try await app.request(.get, "/v1/firearms?limit=0", token: clerk)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'request.refused' AND actor = 'refused-clerk'") == 1)
        }
    }

    struct SchemaModule: IFCModule {
        let name: String
        let schemaName: String
        func addRoutes(to routes: RouteRegistry) {}
        var schemas: [String: JSONValue] { [schemaName: Schema.string] }
    }

    @Test("two modules naming the same schema stop start-up with both names; so does a module reusing a kit schema's name")
    func schemaClash() throws {
        #expect(throws: OpenAPIDocument.SchemaClash.self) {
            try OpenAPIDocument.mergeSchemas(of: [SchemaModule(name: "alpha", schemaName: "Case"), SchemaModule(name: "beta", schemaName: "Case")])
        }
        do {
            _ = try OpenAPIDocument.mergeSchemas(of: [SchemaModule(name: "alpha", schemaName: "Case"), SchemaModule(name: "beta", schemaName: "Case")])
        } catch let clash as OpenAPIDocument.SchemaClash {
            #expect(clash.description.contains("alpha") && clash.description.contains("beta") && clash.description.contains("Case"))
        }
        #expect(throws: OpenAPIDocument.SchemaClash.self) { try OpenAPIDocument.mergeSchemas(of: [SchemaModule(name: "gamma", schemaName: "Country")]) }
        let merged = try OpenAPIDocument.mergeSchemas(of: [SchemaModule(name: "alpha", schemaName: "Case"), SchemaModule(name: "beta", schemaName: "Exhibit")])
        #expect(merged["Case"] != nil && merged["Exhibit"] != nil && merged["Problem"] != nil)
    }

    @Test("records write their absent fields as null; problems leave out members that do not apply")
    func explicitNulls() throws {
        let holder = Holder(id: UUID(), reference: "HO-000001", kind: .person, name: "A", idNumber: nil, address: nil,
                            country: try #require(Country("JM")), version: 1, createdAt: Date(), updatedAt: Date())
        let object = try #require(try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(holder)) as? [String: Any])
        #expect(object["address"] is NSNull)
        #expect(object["id_number"] is NSNull)
        #expect(object["country"] as? String == "JM")
        let page = Page<Holder>(fetched: [holder], limit: 5, key: { [$0.name] })
        let pageObject = try #require(try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(page)) as? [String: Any])
        #expect(pageObject["next_cursor"] is NSNull)
        let problem = try #require(try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(Problem.notFound("x"))) as? [String: Any])
        #expect(problem["errors"] == nil && problem["retry_after"] == nil)
    }

    @Test("calendar dates: exact ISO days only, compared as dates; countries: assigned codes in upper case only")
    func values() throws {
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2023-02-29") == nil)
        #expect(CalendarDate("2024-2-29") == nil)
        #expect(CalendarDate("2024-02-29T00:00:00Z") == nil)
        #expect(try #require(CalendarDate("2025-01-01")) > (try #require(CalendarDate("2024-12-31"))))
        #expect(try #require(CalendarDate("0999-12-31")) < (try #require(CalendarDate("1000-01-01"))))
        #expect(CalendarDate("2024-02-29")?.adding(years: 1).text == "2025-02-28")
        #expect(Country("JM") != nil && Country("jm") == nil && Country("XX") == nil)
    }

    @Test("bad dates and countries in a body are 422 naming the field")
    func valuesAtTheEdge() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let holder = try await app.request(.post, "/v1/holders", token: clerk, json: #"{"kind":"person","name":"A B","country":"jm"}"#)
            #expect(holder.status == .unprocessableContent)
            #expect(try holder.problemFields == ["country"])
            let firearm = try await RegistryTests.register(app, clerk: clerk, RegistryTests.firearm())
            let id = try #require(firearm["id"] as? String)
            let event = try await app.request(.post, "/v1/firearms/\(id)/events", token: clerk, json: #"{"kind":"reported_lost","occurred_on":"2024-13-01"}"#)
            #expect(event.status == .unprocessableContent)
            #expect(try event.problemFields == ["occurred_on"])
        }
    }

    @Test("the event table covers every event and transfer kind, and nothing follows a destruction")
    func transitionTable() {
        for kind in EventKind.allCases where kind != .transferred && kind != .voided {
            #expect(EventTransitions.table[.init(kind)] != nil, "\(kind) has no rule")
            #expect(EventTransitions.table[.init(kind)]?.from.contains(.destroyed) == false)
        }
        for transfer in TransferKind.allCases {
            #expect(EventTransitions.table[.init(.transferred, transfer)] != nil, "transfer \(transfer) has no rule")
        }
        #expect(EventKind.seized.apply(to: .seized, transfer: nil) == .failure(EventRefusal("the firearm is seized already")))
    }
}
