import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import Synchronization

/// The routes of the node itself: liveness, readiness, metrics, the API document, and the audit
/// trail for auditors.
struct SystemRoutes: IFCModule {
    let name = "system"
    let database: Database
    let migrations: [Migration]
    let metrics: AppMetrics
    let audit: AuditWriter
    let maxUnsealedAge: TimeInterval
    let sealKey: AuditSealKey
    let environment: AppEnvironment
    /// Filled once the registry holds every route.
    let document: DocumentBox

    final class DocumentBox: Sendable {
        let json: Mutex<ByteBuffer> = Mutex(ByteBuffer())
    }

    var schemas: [String: JSONValue] {
        [
            "Health": Schema.object(["status": Schema.string], required: ["status"]),
            "Ready": Schema.object(["status": Schema.string, "migrations": Schema.integer], required: ["status", "migrations"]),
            "AuditEntry": Schema.object([
                "seq": Schema.integer, "at": Schema.dateTime, "actor": Schema.string, "actor_id": Schema.nullable("string", format: "uuid"),
                "roles": Schema.array(Schema.string), "action": Schema.string, "record_type": Schema.nullable("string"),
                "record_id": Schema.nullable("string"), "request_id": Schema.nullable("string"),
                "outcome": Schema.enumeration(AuditEntry.Outcome.allCases.map(\.rawValue)), "detail": Schema.nullable("string"),
                "position": Schema.nullable("integer"), "prev_hash": Schema.nullable("string"), "hash": Schema.nullable("string"),
            ], required: ["seq", "at", "actor", "actor_id", "roles", "action", "record_type", "record_id", "request_id",
                          "outcome", "detail", "position", "prev_hash", "hash"]),
            "AuditPage": Schema.page(of: Schema.ref("AuditEntry")),
            "AuditVerification": Schema.object([
                "ok": Schema.boolean, "sealed": Schema.integer, "unsealed": Schema.integer,
                "broken_at": Schema.nullable("integer"), "reason": Schema.nullable("string"), "summary": Schema.string,
                "breaks": Schema.array(Schema.ref("AuditBreak")),
            ], required: ["ok", "sealed", "unsealed", "broken_at", "reason", "summary", "breaks"]),
            "AuditBreak": Schema.object([
                "position": Schema.nullable("integer"), "seq": Schema.nullable("integer"), "last_seq": Schema.nullable("integer"),
                "reason": Schema.string,
            ], required: ["position", "seq", "last_seq", "reason"]),
        ]
    }

    func addRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.get, "/health", id: "health", summary: "The process is up", tag: "system", access: .open,
                             replies: [200: .init("up", schema: Schema.ref("Health"))])) { _, _ in
            try Response.json(["status": "ok"])
        }
        routes.add(RouteSpec(.get, "/ready", id: "ready", summary: "The database is reachable and migrated", tag: "system",
                             access: .open, replies: [200: .init("ready", schema: Schema.ref("Ready")),
                                                      503: .init("not ready", schema: Schema.ref("Problem"), contentType: "application/problem+json")])) { _, context in
            let migrator = Migrator(migrations: migrations, logger: context.logger)
            let status: Migrator.Status
            do {
                status = try await database.withConnection { try await migrator.status(on: $0) }
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(String(reflecting: error))"])
                throw Problem.unavailable("the database is unreachable or its schema does not match this binary", retryAfter: 2)
            }
            guard status.pending.isEmpty else {
                throw Problem.unavailable("migrations pending: \(status.pending.joined(separator: ", "))", retryAfter: 5)
            }
            return try Response.json(ReadyBody(status: "ready", migrations: status.applied))
        }
        routes.add(RouteSpec(.get, "/metrics", id: "metrics", summary: "Prometheus metrics", tag: "system", access: .open,
                             replies: [200: .init("metrics in the Prometheus text format", schema: Schema.string,
                                                  contentType: "text/plain")])) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        routes.add(RouteSpec(.get, "/openapi.json", id: "openapi", summary: "This API's OpenAPI 3.1 document", tag: "system",
                             access: .open, replies: [200: .init("the document", schema: ["type": "object"])])) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document.json.withLock { $0 }))
        }
        let auditor = RouteSpec.Access.roles([.auditor])
        let verifications = SingleFlight<AuditVerifier.Report>()
        routes.add(RouteSpec(.get, "/v1/audit", id: "listAudit", summary: "Read the audit trail", tag: "audit", access: auditor,
                             parameters: [
                                .limit, .cursor,
                                .init("record_type", in: .query, schema: Schema.text(max: 200), "entries about this kind of record (user, firearm, …)"),
                                .init("record_id", in: .query, schema: Schema.text(max: 200), "entries about this record"),
                                .init("actor", in: .query, schema: Schema.text(max: 200), "entries of this user"),
                                .init("action", in: .query, schema: Schema.text(max: 200), "entries of this action, e.g. auth.login"),
                                .init("from", in: .query, schema: Schema.dateTime, "entries at or after this time"),
                                .init("to", in: .query, schema: Schema.dateTime, "entries before this time"),
                             ],
                             replies: [200: .init("a page of entries, oldest first", schema: Schema.ref("AuditPage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let filter = AuditFilter(recordType: try q.text("record_type", max: 200), recordID: try q.text("record_id", max: 200),
                                     actor: try q.text("actor", max: 200), action: try q.text("action", max: 200),
                                     from: try q.time("from"), to: try q.time("to"))
            let page = try q.page(keyCount: 1)
            let result = try await database.withConnection { connection in
                try await AuditLog.list(filter, page: page, on: connection, logger: context.logger)
            }
            try await audit.record(AuditEntry(principal: principal, action: "audit.read", recordType: filter.recordType,
                                              recordID: filter.recordID, requestID: context.requestID,
                                              detail: "{\"count\":\(result.items.count)}"))
            return try Response.json(result)
        }
        routes.add(RouteSpec(.get, "/v1/audit/verify", id: "verifyAudit", summary: "Recompute the audit hash chain", tag: "audit",
                             access: auditor, replies: [200: .init("the verification report (ok false lists every break found; broken_at is the first)",
                                                                   schema: Schema.ref("AuditVerification"))])) { _, context, principal in
            let verifier = AuditVerifier(key: sealKey, maxUnsealedAge: maxUnsealedAge, statementTimeoutMS: 600_000, logger: context.logger)
            let now = environment.now()
            let (report, shared) = try await verifications.report { try await verifier.verify(database: database, workers: 2, now: now) }
            try await audit.record(AuditEntry(principal: principal, action: "audit.verify", requestID: context.requestID,
                                              outcome: .success, detail: "{\"ok\":\(report.ok),\"sealed\":\(report.sealed),\"shared\":\(shared)}"))
            return try Response.json(VerificationBody(report))
        }
    }
}

struct ReadyBody: Encodable {
    var status: String
    var migrations: Int
}

struct VerificationBody: Encodable {
    var ok: Bool
    var sealed: Int
    var unsealed: Int
    var brokenAt: Int64?
    var reason: String?
    var summary: String
    var breaks: [BreakBody]

    struct BreakBody: Encodable {
        var position: Int64?
        var seq: Int64?
        var lastSeq: Int64?
        var reason: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(position, forKey: .position)
            try c.encode(seq, forKey: .seq)
            try c.encode(lastSeq, forKey: .lastSeq)
            try c.encode(reason, forKey: .reason)
        }

        enum CodingKeys: String, CodingKey {
            case position, seq, reason
            case lastSeq = "last_seq"
        }
    }

    init(_ report: AuditVerifier.Report) {
        breaks = report.breaks.map { BreakBody(position: $0.position, seq: $0.seq, lastSeq: $0.lastSeq, reason: $0.reason) }
        ok = report.ok
        sealed = report.sealed
        unsealed = report.unsealed
        brokenAt = report.brokenAt
        reason = report.reason
        summary = report.summary
    }

    enum CodingKeys: String, CodingKey {
        case ok, sealed, unsealed, reason, summary, breaks
        case brokenAt = "broken_at"
    }
}

/// One run at a time: a caller who asks while a run is under way waits for it and shares its
/// result (`shared`), so that many callers of `GET /v1/audit/verify` cost one walk of the trail
/// and leave the pool to the API.
actor SingleFlight<Value: Sendable> {
    private var running: Task<Value, any Error>?
    /// Callers who joined a run under way, in all (for tests and metrics).
    private(set) var joined = 0

    func report(_ work: @escaping @Sendable () async throws -> Value) async throws -> (Value, shared: Bool) {
        if let running {
            joined += 1
            return (try await running.value, true)
        }
        let task = Task { try await work() }
        running = task
        defer { running = nil }
        return (try await task.value, false)
    }
}
