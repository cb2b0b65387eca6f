import Foundation
import HTTPTypes
import Hummingbird
import IFCHTTP
import IFCStore
import Prometheus
import Synchronization

/// The app's Prometheus registry: requests by route and status, a latency histogram, and the
/// database pool's use. One registry per application, so that tests do not share counters.
public final class AppMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let database: Database
    let poolInUse: Gauge
    let poolMax: Gauge
    let auditBatch: ValueHistogram
    let auditFlush: DurationHistogram
    let auditInFlight: ValueHistogram
    private let buckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                       .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                       .seconds(2), .seconds(5)]

    public init(database: Database) {
        self.database = database
        self.poolInUse = registry.makeGauge(name: "ifcd_db_connections_in_use", help: "Database connections lent out now")
        self.poolMax = registry.makeGauge(name: "ifcd_db_connections_max", help: "Size of the database connection pool")
        poolMax.set(Double(database.maximumConnections))
        auditBatch = registry.makeValueHistogram(name: "ifcd_audit_batch_entries", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
                                                 help: "Read audit entries committed per group-commit batch")
        auditFlush = registry.makeDurationHistogram(name: "ifcd_audit_flush_seconds", buckets: buckets,
                                                    help: "Time to insert and commit one read audit batch")
        auditInFlight = registry.makeValueHistogram(name: "ifcd_audit_flushes_in_flight", buckets: [1, 2, 3, 4, 6, 8, 12, 16],
                                                    help: "Read audit flushes under way as a batch began (its own included)")
    }

    /// One committed read-audit batch (group commit): its size, its flush time, and the flushes in
    /// flight as it began, so the suite can show how reads share commits.
    public func observeAuditFlush(entries: Int, duration: Duration, inFlight: Int) {
        auditBatch.record(Double(entries))
        auditFlush.recordNanoseconds(duration.nanoseconds)
        auditInFlight.record(Double(inFlight))
    }

    func observe(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(name: "ifcd_http_requests_total",
                             labels: [("route", route), ("method", method), ("status", String(status))],
                             help: "HTTP requests answered").increment()
        registry.makeDurationHistogram(name: "ifcd_http_request_duration_seconds",
                                       labels: [("route", route), ("method", method)], buckets: buckets,
                                       help: "Time to answer an HTTP request").recordNanoseconds(duration.nanoseconds)
    }

    public func render() -> String {
        poolInUse.set(Double(database.connectionsInUse))
        return registry.emitToString()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Counts each request by its route pattern (never the raw path, whose ids would explode the
/// label set) and status, and times it.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: AppMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let elapsed = clock.now - start
        metrics.observe(route: route, method: request.method.rawValue, status: Int(response.status.code), duration: elapsed)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route),
            "status": .stringConvertible(response.status.code), "ms": .stringConvertible(Double(elapsed.nanoseconds) / 1e6),
            "user": .string(context.note.principal?.username ?? "-"),
        ])
        return response
    }
}
