import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCStore

/// Every refused request leaves an audit entry: a missing or bad token (401) and a wrong role
/// (403) as `denied`, a write refused after authentication (any other 4xx) as `failure`, each
/// with the route, the status and the reason. It sits before the authenticator, so it sees the
/// 401s too; the authenticator leaves the principal in the request's note.
struct RefusalAuditMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let audit: AuditWriter
    let route: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            let status = Int(response.status.code)
            if status >= 400 && status < 500 {
                await record(request, context: context, status: status, reason: response.status.reasonPhrase)
            }
            return response
        } catch {
            let problem = ProblemMiddleware.problem(for: error, context: context)
            if problem.status >= 400 && problem.status < 500 {
                await record(request, context: context, status: problem.status, reason: problem.detail)
            }
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, reason: String) async {
        let principal = context.note.principal
        let denied = status == 401 || status == 403
        // Reads refused for their input (a bad filter, an unknown id) change nothing: not recorded.
        guard denied || (principal != nil && request.method != .get && request.method != .head) else { return }
        let detail = AuditEntry.detail(["route": route, "path": request.uri.path, "status": String(status),
                                        "reason": String(reason.prefix(500))])
        let entry = principal.map {
            AuditEntry(principal: $0, action: denied ? "request.denied" : "request.refused", requestID: context.requestID,
                       outcome: denied ? .denied : .failure, detail: detail)
        } ?? AuditEntry(actor: "anonymous", actorID: nil, roles: [], action: "request.denied", requestID: context.requestID,
                        outcome: .denied, detail: detail)
        do {
            try await audit.record(entry)
        } catch {
            // The refusal is answered whatever happens; a trail that cannot be written is logged.
            context.logger.error("could not record a refused request", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
