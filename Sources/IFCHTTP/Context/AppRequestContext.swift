import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import IFCCore
import Logging

/// The request context of every route: the request id and, once the bearer token is checked,
/// the principal. Handlers of protected routes receive the principal as a non-optional value
/// (see `RouteRegistry`), so none can forget to check it.
public struct AppRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Principal?
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.requestID = ""
    }

    /// JSON bodies beyond this answer 413. Bulk routes (CSV import) stream with their own limit.
    public var maxUploadSize: Int { 1 << 20 }
}
