import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import PostgresNIO
@testable import Registry
import Testing

/// Holders: who they are (date of birth, nationality, identity document), brokers, and the ways
/// a clerk finds them (a misspelt name, date of birth and name), through the HTTP API.
@Suite("Registry holders: identity and search")
struct HolderIdentityTests {
    static func create(_ app: TestApp, _ clerk: String, _ json: String) async throws -> [String: Any] {
        let created = try await app.request(.post, "/v1/holders", token: clerk, json: json)
        #expect(created.status == .created, "\(created.text)")
        return try created.object
    }

    static func person(_ name: String, born: String? = nil, id: String? = nil) -> String {
        #"{"kind":"person","name":"\#(name)","country":"JM""#
            + (born.map { #","date_of_birth":"\#($0)""# } ?? "") + (id.map { #","id_number":"\#($0)""# } ?? "") + "}"
    }

    static func names(_ response: TestResponse) throws -> [String] {
        ((try response.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }

    @Test("date of birth, nationality and identity document are recorded, and every version keeps them with the old address")
    func identityIsRecordedAndVersioned() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let holder = try await Self.create(app, clerk, #"""
                {"kind":"person","name":"Marcia Campbell","country":"JM","date_of_birth":"1980-02-01","nationality":"TT",
                 "id_document_kind":"passport","id_number":"TT-P-771234","address":"12 Hope Road, Kingston"}
                """#)
            #expect(holder["date_of_birth"] as? String == "1980-02-01")
            #expect(holder["nationality"] as? String == "TT")
            #expect(holder["id_document_kind"] as? String == "passport")
            let id = try #require(holder["id"] as? String)
            let moved = try await app.request(.patch, "/v1/holders/\(id)", token: clerk, json: #"{"address":"4 Market Street, Mandeville"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(moved.status == .ok, "\(moved.text)")
            let naturalised = try await app.request(.patch, "/v1/holders/\(id)", token: clerk,
                                                    json: #"{"nationality":"JM","id_document_kind":"national_id","id_number":"JM-119-442-001"}"#,
                                                    headers: [.ifMatch: "\"2\""])
            #expect(naturalised.status == .ok, "\(naturalised.text)")
            #expect(try naturalised.object["nationality"] as? String == "JM")
            #expect(try naturalised.object["date_of_birth"] as? String == "1980-02-01", "a change leaves the other fields as they are")
            let analyst = try await app.token(roles: [.analyst])
            let history = try await app.request(.get, "/v1/holders/\(id)/history", token: analyst)
            let versions = try #require(try JSONSerialization.jsonObject(with: Data(buffer: history.body)) as? [[String: Any]])
            let records = versions.compactMap { $0["record"] as? [String: Any] }
            #expect(records.count == 3)
            #expect(records.map { $0["address"] as? String } == ["12 Hope Road, Kingston", "4 Market Street, Mandeville", "4 Market Street, Mandeville"])
            #expect(records.map { $0["nationality"] as? String } == ["TT", "TT", "JM"])
            #expect(records.map { $0["id_document_kind"] as? String } == ["passport", "passport", "national_id"])
            #expect(records.allSatisfy { $0["date_of_birth"] as? String == "1980-02-01" })
            #expect((versions.last?["change"] as? String)?.contains("nationality") == true, "\(versions.last ?? [:])")
        }
    }

    @Test("a date of birth in the future, a malformed date, an unknown nationality or document kind are 422 naming each field")
    func badIdentityIsRefused() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let bad = try await app.request(.post, "/v1/holders", token: clerk, json: #"""
                {"kind":"person","name":"A","country":"JM","date_of_birth":"1980-02-30","nationality":"Jamaica","id_document_kind":"library_card"}
                """#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.isProblem)
            #expect(Set(try bad.problemFields) == ["date_of_birth", "nationality", "id_document_kind"], "\(bad.text)")
            let future = try await app.request(.post, "/v1/holders", token: clerk, json: Self.person("B", born: "2999-01-01"))
            #expect(future.status == .unprocessableContent)
            #expect(try future.problemFields == ["date_of_birth"])
            #expect(future.text.contains("is in the future"))
            #expect(try await app.count("SELECT count(*) FROM holders") == 0)
            let holder = try await Self.create(app, clerk, Self.person("C", born: "1990-05-05"))
            let id = try #require(holder["id"] as? String)
            let later = try await app.request(.patch, "/v1/holders/\(id)", token: clerk, json: #"{"date_of_birth":"2999-01-01"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(later.status == .unprocessableContent)
            #expect(try later.problemFields == ["date_of_birth"])
            let query = try await app.request(.get, "/v1/holders?date_of_birth=01/02/1980", token: clerk)
            #expect(query.status == .unprocessableContent)
            #expect(try query.problemFields == ["date_of_birth"])
        }
    }

    @Test("a broker is a holder kind of its own")
    func brokers() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let broker = try await Self.create(app, clerk, #"""
                {"kind":"broker","name":"Atlantic Arms Brokerage BV","country":"NL","id_document_kind":"company_registration","id_number":"KVK-55501234"}
                """#)
            #expect(broker["kind"] as? String == "broker")
            #expect(broker["date_of_birth"] is NSNull)
            let found = try await app.request(.get, "/v1/holders?id_number=kvk-55501234", token: clerk)
            #expect(try Self.names(found) == ["Atlantic Arms Brokerage BV"])
        }
    }

    @Test("a misspelt name finds the holder by trigram similarity (Cambel finds Campbell), not every name that shares letters")
    func misspeltNames() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            for name in ["Marcia Campbell", "Campbell Sporting Goods", "Camille Bell", "Peter Brown", "Keisha Williams"] {
                _ = try await Self.create(app, clerk, Self.person(name))
            }
            let analyst = try await app.token(roles: [.analyst])
            #expect(try Self.names(try await app.request(.get, "/v1/holders?name=Cambel", token: analyst))
                    == ["Campbell Sporting Goods", "Marcia Campbell"])
            #expect(try Self.names(try await app.request(.get, "/v1/holders?name=wiliams", token: analyst)) == ["Keisha Williams"])
            #expect(try Self.names(try await app.request(.get, "/v1/holders?name=brwn", token: analyst)) == ["Peter Brown"])
            // A part of the name still matches as before.
            #expect(try Self.names(try await app.request(.get, "/v1/holders?name=pbel", token: analyst))
                    == ["Campbell Sporting Goods", "Marcia Campbell"])
            #expect(try Self.names(try await app.request(.get, "/v1/holders?name=zzyzx", token: analyst)).isEmpty)
            // The misspelt term is on the read's audit entry.
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'holder.list' AND detail->'query'->>'name' = 'Cambel'
                """) == 2)
        }
    }

    @Test("date of birth and name single out one of several holders of the same name; the terms are audited")
    func dateOfBirthAndName() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            _ = try await Self.create(app, clerk, Self.person("Andre Campbell", born: "1980-02-01", id: "TRN-1"))
            _ = try await Self.create(app, clerk, Self.person("Andre Campbell", born: "1992-11-30", id: "TRN-2"))
            _ = try await Self.create(app, clerk, Self.person("Omar Reid", born: "1980-02-01", id: "TRN-3"))
            let liaison = try await app.token(roles: [.liaison])
            let found = try await app.request(.get, "/v1/holders?date_of_birth=1980-02-01&name=Andre%20Campbell", token: liaison)
            #expect(found.status == .ok)
            let items = (try found.object["items"] as? [[String: Any]]) ?? []
            #expect(items.compactMap { $0["id_number"] as? String } == ["TRN-1"])
            let misspelt = try await app.request(.get, "/v1/holders?date_of_birth=1980-02-01&name=Andre%20Cambel", token: liaison)
            #expect(((try misspelt.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["id_number"] as? String } == ["TRN-1"])
            let sameDay = try await app.request(.get, "/v1/holders?date_of_birth=1980-02-01", token: liaison)
            #expect(try Self.names(sameDay) == ["Andre Campbell", "Omar Reid"])
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'holder.list'
                  AND detail->'query'->>'date_of_birth' = '1980-02-01' AND detail->'query'->>'name' = 'Andre Campbell'
                """) == 1)
        }
    }

    @Test("at registry scale the misspelt-name search uses the trigram index on lower(name), both arms, no table scan")
    func nameSearchUsesIndex() async throws {
        try await withTestDatabase { database in
            let plan = try await database.asOwner { connection -> String in
                // 200,000 holders with names as a national registry has them: common first and last
                // names, many sharing trigrams (random md5 names mislead the planner's GIN estimate).
                try await connection.query("""
                    INSERT INTO holders (id, reference, kind, name, country)
                    SELECT gen_random_uuid(), 'HO-' || lpad(g::text, 6, '0'), 'person', f || ' ' || l, 'JM'
                    FROM generate_series(1, 200000) g, LATERAL (SELECT
                        (ARRAY['Andre','Keisha','Marlon','Tanya','Devon','Shanice','Omar','Latoya','Ricardo','Nadine',
                               'Kevin','Simone','Paul','Maria','John','Ann','Peter','Grace','Mark','Ruth'])[1 + g % 20] AS f,
                        (ARRAY['Campbell','Brown','Williams','Thompson','Clarke','Henry','Reid','Francis','Gordon','Bailey',
                               'Smith','Johnson','Lewis','Walker','Wright','Scott','Green','Hall','Allen','Young'])[1 + (g / 20) % 20]
                            || ' ' || (g % 997)::text AS l) x
                    """, logger: TestCluster.logger)
                try await connection.query("ANALYZE holders", logger: TestCluster.logger)
                try await connection.query("SET pg_trgm.strict_word_similarity_threshold = 0.3", logger: TestCluster.logger)
                let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                    EXPLAIN SELECT id FROM holders WHERE lower(name) LIKE '%zambrano%' OR 'zanbrano' <<% lower(name)
                    """), logger: TestCluster.logger)
                var plan = ""
                for try await line in rows.decode(String.self) { plan += line + "\n" }
                return plan
            }
            #expect(plan.contains("holders_name"), "\(plan)")
            #expect(plan.contains("%>>"), "the similarity arm is an index condition too: \(plan)")
            #expect(!plan.contains("Seq Scan"), "\(plan)")
        }
    }
}
