import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCStore
import Logging
import PostgresNIO

/// `Idempotency-Key` on POST: the first request with a key runs and its answer is kept; the same
/// key with the same method, path and body gets that answer again (`Idempotent-Replayed: true`);
/// with another body, 422. Keys are per user and kept 24 hours, then purged (`purge`, run hourly
/// by the server). While the first request runs, a second one with its key gets 409. A first
/// request that failed with 5xx frees its key; one that never finished (the process was killed)
/// frees it after `IdempotencyStore.abandonedAfter`, longer than any request may run.
public struct IdempotencyMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let header = HTTPField.Name("Idempotency-Key")!
    public static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    let store: IdempotencyStore

    public init(database: Database) { self.store = IdempotencyStore(database: database) }

    /// Deletes the keys (and the answers they keep) older than a day; returns how many.
    @discardableResult
    public static func purge(database: Database, logger: Logger) async throws -> Int {
        try await IdempotencyStore(database: database).purge(logger: logger)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = request.headers[Self.header] else { return try await next(request, context) }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Problem.invalid("Idempotency-Key", "must be 1 to 200 visible ASCII characters")
        }
        guard let userID = context.identity?.userID else { return try await next(request, context) }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: Data(buffer: body))
        let hash = ByteBuffer(bytes: Array(hasher.finalize()))
        let method = request.method.rawValue
        let path = request.uri.path
        let logger = context.logger

        if let stored = try await reserveOrFind(userID: userID, key: key, method: method, path: path, hash: hash, logger: logger) {
            return stored
        }
        var replay = request
        replay.body = .init(buffer: body)
        var response: Response
        do {
            response = try await next(replay, context)
        } catch {
            let problem = ProblemMiddleware.problem(for: error, context: context)
            if problem.status >= 500 {
                try? await release(userID: userID, key: key, logger: logger)
                throw error
            }
            response = ProblemMiddleware.response(for: problem)
        }
        if response.status.code >= 500 {
            try? await release(userID: userID, key: key, logger: logger)
            return response
        }
        let collected = try await CollectingWriter.collect(response.body)
        response.body = .init(byteBuffer: collected)
        // The work is committed: failing to keep its answer must not turn it into an error. The
        // key is released instead, so a retry runs again (and meets the record's own uniqueness).
        do {
            try await storeAnswer()
        } catch {
            logger.error("idempotency: answer not kept", metadata: ["error": "\(String(reflecting: error))"])
            try? await release(userID: userID, key: key, logger: logger)
        }
        return response

        func storeAnswer() async throws {
            try await store.keep(IdempotencyStore.Answer(status: Int(response.status.code), contentType: response.headers[.contentType],
                                                         etag: response.headers[.eTag], location: response.headers[.location], body: collected),
                                 userID: userID, key: key, logger: logger)
        }
    }

    /// Reserves the key (returns nil: go on) or answers from what is stored.
    private func reserveOrFind(userID: UUID, key: String, method: String, path: String, hash: ByteBuffer,
                               logger: Logger) async throws -> Response? {
        switch try await store.reserve(userID: userID, key: key, method: method, path: path, hash: hash, logger: logger) {
        case nil:
            return nil
        case .otherRequest:
            throw Problem.invalid("Idempotency-Key", "was used before with another request; use a new key for a new request")
        case .inProgress:
            throw Problem.conflict("the first request with this Idempotency-Key is still in progress", slug: "idempotency-in-progress")
        case .changed:
            // Freed between the two statements by a failing first request: let the client retry.
            throw Problem.conflict("the Idempotency-Key changed state; retry", slug: "idempotency-in-progress")
        case .answer(let answer):
            var headers: HTTPFields = [Self.replayedHeader: "true"]
            if let type = answer.contentType { headers[.contentType] = type }
            if let etag = answer.etag { headers[.eTag] = etag }
            if let location = answer.location { headers[.location] = location }
            return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: answer.body))
        }
    }

    private func release(userID: UUID, key: String, logger: Logger) async throws {
        try await store.release(userID: userID, key: key, logger: logger)
    }
}

/// Collects a response body so that it can be stored and sent.
struct CollectingWriter: ResponseBodyWriter {
    final class Box: @unchecked Sendable { var buffer = ByteBuffer() }
    let box: Box

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        box.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}

    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let box = Box()
        try await body.write(CollectingWriter(box: box))
        return box.buffer
    }
}
