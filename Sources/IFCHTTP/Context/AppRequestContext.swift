import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import IFCCore
import Logging
import Synchronization

/// The request context of every route: the request id and, once the bearer token is checked,
/// the principal. Handlers of protected routes receive the principal as a non-optional value
/// (see `RouteRegistry`), so none can forget to check it.
public struct AppRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Principal?
    public var requestID: String
    /// Shared by every copy of this request's context, inner and outer middleware alike: the
    /// authenticated principal, so the request log line and the refusal audit can name the user.
    public let note: RequestNote
    /// The client's IP address as the connection shows it (no proxy header is trusted).
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
        self.identity = nil
        self.requestID = ""
        self.note = RequestNote()
    }

    /// JSON bodies beyond this answer 413. Bulk routes (CSV import) stream with their own limit.
    public var maxUploadSize: Int { 1 << 20 }
}

/// What inner middleware learns about a request that outer middleware reports (see `note`).
public final class RequestNote: Sendable {
    private let state = Mutex<Principal?>(nil)
    public init() {}
    public var principal: Principal? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
