import HTTPTypes
import Hummingbird
import HummingbirdAuth
import IFCCore

/// Adds routes to the router and remembers their specs for the OpenAPI document. Protected
/// routes get, in order: the bearer authenticator, the role policy, Idempotency-Key handling
/// for POSTs; their handlers receive the principal, never an optional.
public final class RouteRegistry {
    public typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response
    public typealias AuthenticatedHandler = @Sendable (Request, AppRequestContext, Principal) async throws -> Response

    public let router: Router<AppRequestContext>
    let authenticator: BearerAuthenticator
    let idempotency: IdempotencyMiddleware?
    public private(set) var specs: [RouteSpec] = []

    public init(router: Router<AppRequestContext>, authenticator: BearerAuthenticator, idempotency: IdempotencyMiddleware?) {
        self.router = router
        self.authenticator = authenticator
        self.idempotency = idempotency
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
        default: roles = Set(Role.allCases)
        }
        let group = router.group()
            .add(middleware: authenticator)
            .add(middleware: AuthorizationPolicyMiddleware(AnyRolePolicy(roles), deniedError: ProblemError(.forbidden()), context: AppRequestContext.self))
        let target = spec.idempotent && idempotency != nil ? group.add(middleware: idempotency!) : group
        target.on(RouterPath(spec.routerPath), method: spec.method) { request, context in
            guard let principal = context.identity else { throw ProblemError(.unauthorized()) }
            return try await handler(request, context, principal)
        }
    }
}
