// The in-process part of the hot requests, without a database: what one call costs in wall time,
// CPU and malloc calls, so that a change that adds allocations shows before the load test.
// Each sample runs the call 1000 times (10^6 for the sub-microsecond ones) and the figures are per
// call; the process's CPU clock ticks in 10 ms, so CPU per call is meaningful only for calls that
// take tens of microseconds (wall clock is the figure for the others: the calls are single-threaded).
// Run with `Deploy/bench/micro.sh` (README, "Tests and benchmarks").

import Benchmark
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCHTTP
import IFCServer
import IFCStore
import Logging
import NIOCore
import NIOEmbedded
import PostgresNIO
@_spi(Benchmarks) import Registry

// MARK: Fixtures

/// The same values every run: a licensed firearm with one licence and one component, as
/// `GET /v1/firearms/{id}` answers it.
enum Fixture {
    static let firearmID = "3f2b8c1e-6a4d-4b7e-9c21-0d5e8f7a1b2c"
    static let licenceID = "9a1c2e3f-4b5d-4e6f-8a7b-1c2d3e4f5a6b"

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) -> T {
        do { return try JSONCoding.decoder.decode(type, from: Data(json.utf8)) } catch { fatalError("fixture \(T.self): \(error)") }
    }

    static let firearm = decode(Firearm.self, """
        {"id": "\(firearmID)", "reference": "FA-2026-000123", "make": "Glock", "model": "17", "type": "pistol",
         "calibre": "9x19mm", "serial": "ab-12 345/x", "serial_normalized": "AB12345X", "other_markings": null,
         "country_of_manufacture": "AT", "year_of_manufacture": 2019, "import_country": null, "import_year": null,
         "importer": null, "barrel_length_mm": 114, "action": "semi-automatic", "notes": "bought from a licensed dealer",
         "manufacturer": "Glock Ges.m.b.H.", "place_of_manufacture": "Deutsch-Wagram", "alternative_marking": null,
         "marking_part": "frame", "civilian_marking": null, "state_marking": null, "marking_condition": "legible",
         "restoration_method": null, "restoration_case": null, "category": "B", "record_origin": "lawful",
         "status": "licensed", "holder_id": "5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5", "version": 3,
         "created_at": "2026-01-14T09:12:33.417Z", "updated_at": "2026-06-02T15:40:01.009Z"}
        """)

    static let licence = decode(Licence.self, """
        {"id": "\(licenceID)", "number": "LIC-2026-0042", "holder_id": "5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5",
         "kind": "possession", "issuing_authority": "Police Prefecture", "valid_from": "2026-01-01", "valid_until": "2030-12-31",
         "status": "active", "status_reason": null, "effective_status": "valid",
         "firearm_ids": ["\(firearmID)"], "ended_cover": [], "conditions": [{"kind": "storage", "text": "locked safe"}],
         "version": 1, "created_at": "2026-01-01T08:00:00.000Z", "updated_at": "2026-01-01T08:00:00.000Z"}
        """)

    static let component = decode(Component.self, """
        {"id": "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", "reference": "CO-2026-000007", "firearm_id": "\(firearmID)",
         "part": "slide", "make": "Glock", "calibre": "9x19mm", "serial": "AB12345X", "serial_normalized": "AB12345X",
         "other_markings": null, "status": "licensed", "version": 1,
         "created_at": "2026-01-14T09:12:33.417Z", "updated_at": "2026-01-14T09:12:33.417Z"}
        """)

    static let detail = Registry.firearmAnswer(firearm, licences: [licence], components: [component])
    static let bare = Registry.firearmAnswer(firearm, licences: [], components: [])

    /// A registration body as a clerk's client sends it: ASCII only, so the TextRule byte scan
    /// passes it without walking it.
    static let createBody = Data("""
        {"make": "Glock", "model": "17", "type": "pistol", "calibre": "9x19mm", "serial": "AB-12 345/X",
         "country_of_manufacture": "AT", "year_of_manufacture": 2019, "barrel_length_mm": 114,
         "action": "semi-automatic", "notes": "bought from a licensed dealer", "manufacturer": "Glock Ges.m.b.H.",
         "marking_part": "frame", "marking_condition": "legible", "category": "B", "record_origin": "lawful",
         "holder_id": "5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5"}
        """.utf8)

    /// The same body with non-ASCII text and an escaped line break in the notes: the byte scan
    /// cannot clear it, so every string is checked against TextRule.
    static let createBodyWalked = Data("""
        {"make": "Česká zbrojovka", "model": "75", "type": "pistol", "calibre": "9x19mm", "serial": "AB-12 345/X",
         "country_of_manufacture": "CZ", "year_of_manufacture": 2019, "barrel_length_mm": 114,
         "action": "semi-automatic", "notes": "bought from a licensed dealer\\nin Uherský Brod", "manufacturer": "Česká zbrojovka a.s.",
         "marking_part": "frame", "marking_condition": "legible", "category": "B", "record_origin": "lawful",
         "holder_id": "5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5"}
        """.utf8)

    static let principal = Principal(userID: UUID(uuidString: "11111111-2222-4333-8444-555555555555"), username: "clerk.one",
                                     roles: [.clerk, .analyst], tokenID: UUID())
    static let requestID = "req-6b1f0c2a9d"
}

// MARK: The exact-serial list's query parameters, as the route reads them

/// The same calls in the same order as the `GET /v1/firearms` handler (Firearm+Routes.swift).
@inline(never)
func parseSerialListQuery(_ request: Request) throws -> (serial: String?, page: PageRequest, terms: [String: String]) {
    var q = QueryParameters(request)
    var serial: String?
    if let marked = try q.text("serial") {
        guard let normalized = Serial.normalize(marked) else { throw Problem.invalid("serial", "must contain letters or digits") }
        serial = normalized
    }
    blackHole(try q.text("make"))
    blackHole(try q.text("model"))
    blackHole(try q.text("calibre"))
    blackHole(try q.value("type", as: FirearmType.self))
    blackHole(try q.value("status", as: FirearmStatus.self))
    blackHole(try q.uuid("holder_id"))
    blackHole(try q.country("country"))
    blackHole(try q.value("record_origin", as: RecordOrigin.self))
    blackHole(try q.bool("needs_review"))
    blackHole(try q.value("retention_use", as: RetentionUse.self))
    blackHole(try q.text("retention", max: 10))
    let page = try q.page(keyCount: 1)
    return (serial, page, q.terms)
}

// MARK: A whole request through the daemon's own router (no database is ever reached)

/// The router `buildParts` assembles for `ifcd serve` (every module's routes and the middleware
/// chain: request id, metrics, problems), over a pool that is never run: `/health` and
/// `/openapi.json` touch no database, so this is Hummingbird's and the middleware's own cost.
struct RouterHarness: @unchecked Sendable {
    let responder: RouterResponder<AppRequestContext>
    let channel: EmbeddedChannel
    let logger: Logger

    init() throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        self.logger = logger
        let settings = PostgresClient.Configuration(host: "127.0.0.1", port: 1, username: "bench", password: nil,
                                                    database: "bench", tls: .disable)
        let database = Database(client: PostgresClient(configuration: settings), maximumConnections: 1, logger: logger)
        var context = AppContext(config: AppConfig(), database: database, migrations: [], logger: logger)
        context.sealerDatabase = database
        context.sealKey = AuditSealKey(key: SymmetricKey(size: .bits256), source: "bench")
        let parts = try buildParts(context)
        self.responder = parts.router.buildResponder()
        self.channel = EmbeddedChannel()
    }

    func get(_ path: String) async throws -> HTTPResponse.Status {
        let head = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: path)
        let request = Request(head: head, body: .init(buffer: ByteBuffer()))
        let context = AppRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        let response = try await responder.respond(to: request, context: context)
        // Drain the body as the server would write it.
        try await response.body.write(DiscardingWriter())
        return response.status
    }
}

struct DiscardingWriter: ResponseBodyWriter {
    var bytes = 0
    mutating func write(_ buffer: ByteBuffer) async throws { bytes += buffer.readableBytes }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

// MARK: Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .mallocBytesCount, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 20,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 200
    )

    // GET /v1/firearms/{id}: the answer as the route writes it (Response.json, JSONCoding's encoder).
    Benchmark("firearm read: encode answer (1 licence, 1 component)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Response.json(Fixture.detail, version: Fixture.detail.record.firearm.version))
        }
    }
    Benchmark("firearm read: encode answer (no licence)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Response.json(Fixture.bare, version: Fixture.bare.record.firearm.version))
        }
    }
    // The timestamps alone: every record in an answer carries created_at and updated_at.
    Benchmark("timestamp: format", configuration: .init(scalingFactor: .mega, maxDuration: .seconds(3))) { benchmark in
        let date = Fixture.firearm.updatedAt
        for _ in benchmark.scaledIterations {
            blackHole(Timestamp.format(date))
        }
    }

    // The audit entries of that read: the firearm's and its licence's (Firearm+Service.swift).
    Benchmark("firearm read: audit entries") { benchmark in
        let id = Fixture.firearm.id
        let licences = [Fixture.licence]
        for _ in benchmark.scaledIterations {
            let entries = [AuditEntry(principal: Fixture.principal, action: "firearm.read", recordType: "firearm",
                                      recordID: id.uuidString, requestID: Fixture.requestID)]
                + licences.map { AuditEntry(principal: Fixture.principal, action: "licence.read", recordType: "licence",
                                            recordID: $0.id.uuidString, requestID: Fixture.requestID) }
            blackHole(entries)
        }
    }
    // A list read's entry, whose detail holds the query's terms (AuditWriter.recordReads).
    Benchmark("serial list: audit entry with query detail") { benchmark in
        let ids = [Fixture.firearm.id]
        let query = ["serial": "AB-12 345/X"]
        for _ in benchmark.scaledIterations {
            blackHole(AuditEntry.reads(of: ids, action: "firearm.list", recordType: "firearm", principal: Fixture.principal,
                                       requestID: Fixture.requestID, query: query))
        }
    }

    // POST /v1/firearms: the body through JSONBody (UTF-8, syntax, unknown keys, TextRule, types) and the rules.
    Benchmark("firearm create: decode + validate body (ASCII)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Registry.decodeFirearmCreate(Fixture.createBody))
        }
    }
    Benchmark("firearm create: decode + validate body (TextRule walk)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Registry.decodeFirearmCreate(Fixture.createBodyWalked))
        }
    }

    Benchmark("serial: normalize + fold", configuration: .init(scalingFactor: .mega, maxDuration: .seconds(3))) { benchmark in
        for _ in benchmark.scaledIterations {
            let normalized = Serial.normalize("ab-12 345/x")!
            blackHole(Serial.fold(normalized))
        }
    }

    // GET /v1/firearms?serial=…: the query string into the filter's values.
    Benchmark("serial list: parse query") { benchmark in
        let head = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/v1/firearms?serial=AB-12%20345%2FX&limit=50")
        let request = Request(head: head, body: .init(buffer: ByteBuffer()))
        for _ in benchmark.scaledIterations {
            blackHole(try parseSerialListQuery(request))
        }
    }

    // Whole requests through the daemon's router and middleware.
    let harness: RouterHarness
    do { harness = try RouterHarness() } catch { fatalError("router: \(error)") }
    Benchmark("http: GET /health through the router") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await harness.get("/health"))
        }
    }
    Benchmark("http: GET /openapi.json through the router", configuration: .init(scalingFactor: .one, maxIterations: 2000)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await harness.get("/openapi.json"))
        }
    }
}
