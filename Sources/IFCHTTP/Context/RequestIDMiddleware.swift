import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import Logging

/// `X-Request-ID` in and out: a client's id is kept when it is sane (≤ 128 of `[A-Za-z0-9._:-]`),
/// otherwise a new UUID is made. The id goes into every log line and audit entry of the request.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let header = HTTPField.Name("X-Request-ID")!

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[Self.header].flatMap(Self.sanitise) ?? UUID().uuidString.lowercased()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    static func sanitise(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ c in
                  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                      || c == 0x2E || c == 0x5F || c == 0x3A || c == 0x2D
              }) else { return nil }
        return value
    }
}
