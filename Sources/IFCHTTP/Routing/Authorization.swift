import HTTPTypes
import Hummingbird
import HummingbirdAuth
import IFCCore

extension Principal: RoleProviding {}

/// Looks up the bearer token; sets the principal on the context. A request without a token goes
/// on unauthenticated (the policy middleware then answers 401); a token that is unknown,
/// expired, revoked or of a disabled user is refused here with 401.
public struct BearerAuthenticator: AuthenticatorMiddleware {
    public typealias Context = AppRequestContext
    public typealias Identity = Principal
    public typealias Lookup = @Sendable (_ token: String, _ context: AppRequestContext) async throws -> Principal?

    let lookup: Lookup

    public init(lookup: @escaping Lookup) { self.lookup = lookup }

    public func authenticate(request: Request, context: Context) async throws -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        guard let bearer = request.headers.bearer, !bearer.token.isEmpty, bearer.token.utf8.count <= 256 else {
            throw ProblemError(.unauthorized("the Authorization header must be 'Bearer <token>'"))
        }
        _ = header
        guard let principal = try await lookup(bearer.token, context) else {
            throw ProblemError(.unauthorized("the token is unknown, expired or revoked, or its user is disabled"))
        }
        context.note.principal = principal
        return principal
    }
}

/// Admits a principal holding any of the route's roles; with no roles named (`.authenticated`
/// routes), any principal, even one whose token holds no role (a temporary password's).
public struct AnyRolePolicy: AuthorizationPolicy {
    public let roles: Set<Role>
    public init(_ roles: Set<Role>) { self.roles = roles }

    public func isAuthorized(identity: Principal, request: Request) async throws -> Bool {
        roles.isEmpty || identity.holdsAny(of: roles)
    }
}

/// A problem thrown where Hummingbird wants an `HTTPResponseError` (the policy middleware).
public struct ProblemError: HTTPResponseError, ProblemConvertible {
    public let problem: Problem
    public init(_ problem: Problem) { self.problem = problem }
    public var status: HTTPResponse.Status { .init(code: problem.status) }
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        ProblemMiddleware.response(for: problem)
    }
}
