import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCStore
import Logging

/// Turns every error into an RFC 9457 `application/problem+json` response. Client mistakes are
/// 4xx with the field named; store errors are mapped by SQLSTATE and logged in full; anything
/// unforeseen is a logged 500 that shows the client nothing but the request id.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let allowed: AllowedMethods?

    public init(allowed: AllowedMethods? = nil) {
        self.allowed = allowed
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            // The router's own 404: no route for this path and method. A known path with another
            // method is 405 with the methods it takes.
            let path = request.uri.path
            if let methods = allowed?.methods(forPath: Substring(path)), !methods.isEmpty {
                var response = Self.response(for: Problem(slug: "method-not-allowed", title: "Method not allowed", status: 405,
                                                          detail: "\(path) takes \(methods.joined(separator: ", ")), not \(request.method.rawValue)"))
                response.headers[.allow] = methods.joined(separator: ", ")
                return response
            }
            return Self.response(for: Self.problem(for: error, context: context))
        } catch {
            let problem = Self.problem(for: error, context: context)
            if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["status": "\(problem.status)", "error": "\(String(reflecting: error))"])
            } else {
                context.logger.debug("request refused", metadata: ["status": "\(problem.status)", "problem": "\(problem.type)"])
            }
            return Self.response(for: problem)
        }
    }

    public static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let convertible as any ProblemConvertible:
            return convertible.problem
        case let http as HTTPError:
            return problem(forStatus: http.status, message: http.body)
        case let http as any HTTPResponseError:
            // e.g. NIOTooManyBytesError from a body over the route's limit: 413.
            return problem(forStatus: http.status, message: nil)
        case let decoding as DecodingError:
            return JSONBody.problem(for: decoding)
        default:
            return .internal(requestID: context.requestID)
        }
    }

    static func problem(forStatus status: HTTPResponse.Status, message: String?) -> Problem {
        switch status.code {
        case 400: return .badRequest(message ?? "the request is malformed")
        case 401: return .unauthorized()
        case 403: return .forbidden()
        case 404: return .notFound(message ?? "no such resource")
        case 405: return Problem(slug: "method-not-allowed", title: "Method not allowed", status: 405, detail: "this resource does not take that method")
        case 413: return Problem(slug: "too-large", title: "Payload too large", status: 413, detail: "the request body exceeds the limit of this route")
        case 415: return Problem(slug: "unsupported-media-type", title: "Unsupported media type", status: 415, detail: message ?? "send application/json")
        default:
            return Problem(slug: "http-\(status.code)", title: status.reasonPhrase, status: Int(status.code), detail: message ?? status.reasonPhrase)
        }
    }

    public static func response(for problem: Problem) -> Response {
        let data = (try? JSONBody.encoder.encode(problem)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if problem.status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"ifcd\"" }
        if let retryAfter = problem.retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: problem.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
