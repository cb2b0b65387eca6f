import HTTPTypes
import Hummingbird
import HummingbirdAuth
import IFCCore
import IFCStore

/// Adds routes to the router and remembers their specs for the OpenAPI document. Protected
/// routes get, in order: the bearer authenticator, the role policy, Idempotency-Key handling
/// for POSTs; their handlers receive the principal, never an optional.
public final class RouteRegistry {
    public typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response
    public typealias AuthenticatedHandler = @Sendable (Request, AppRequestContext, Principal) async throws -> Response

    public let router: Router<AppRequestContext>
    let authenticator: BearerAuthenticator
    let idempotency: IdempotencyMiddleware?
    let audit: AuditWriter?
    public private(set) var specs: [RouteSpec] = []

    /// - Parameter audit: where refused requests are recorded (401 and 403 as denied, a refused
    ///   write as failure); nil only in tests of the router itself.
    public init(router: Router<AppRequestContext>, authenticator: BearerAuthenticator, idempotency: IdempotencyMiddleware?,
                audit: AuditWriter?) {
        self.router = router
        self.authenticator = authenticator
        self.idempotency = idempotency
        self.audit = audit
    }

    /// A route open to anyone (`access: .open`).
    public func add(_ spec: RouteSpec, _ handler: @escaping Handler) {
        precondition(spec.access == .open, "\(spec.path): protected routes take an authenticated handler")
        specs.append(spec)
        router.on(RouterPath(spec.routerPath), method: spec.method) { request, context in
            try await handler(request, context)
        }
    }

    /// A route that needs a valid token, and the roles of `spec.access`.
    public func add(_ spec: RouteSpec, _ handler: @escaping AuthenticatedHandler) {
        precondition(spec.access != .open, "\(spec.path): open routes take a plain handler")
        specs.append(spec)
        let roles: Set<Role>
        switch spec.access {
        case .roles(let set): roles = set
        default: roles = []
        }
        let base = router.group()
        let audited = audit.map { base.add(middleware: RefusalAuditMiddleware(audit: $0, route: "\(spec.method.rawValue) \(spec.path)")) } ?? base
        let group = audited
            .add(middleware: authenticator)
            .add(middleware: AuthorizationPolicyMiddleware(AnyRolePolicy(roles), deniedError: ProblemError(.forbidden()), context: AppRequestContext.self))
        let target = spec.idempotent && idempotency != nil ? group.add(middleware: idempotency!) : group
        let query = spec.queryParameterNames
        target.on(RouterPath(spec.routerPath), method: spec.method) { request, context in
            guard let principal = context.identity else { throw ProblemError(.unauthorized()) }
            try Self.refuseUndeclared(request.uri.queryParameters, declared: query)
            return try await handler(request, context, principal)
        }
    }

    /// A query parameter the route does not declare is a 422 naming it: a misspelt filter
    /// (`?stauts=lost`) must not answer the unfiltered list. The same declaration writes the
    /// parameter into the API document, so a generated client sends only what is read.
    static func refuseUndeclared(_ given: Parameters, declared: Set<String>) throws(Problem) {
        var unknown: [String] = []
        for (key, _) in given where !declared.contains(String(key)) && !unknown.contains(String(key)) {
            unknown.append(String(key))
        }
        guard !unknown.isEmpty else { return }
        throw Problem.validation(unknown.sorted().map {
            Problem.FieldError(field: $0, detail: declared.isEmpty ? "this route takes no query parameters"
                       : "is not a query parameter of this route (it takes \(declared.sorted().joined(separator: ", ")))")
        })
    }
}
