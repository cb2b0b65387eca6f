import Foundation
import IFCCore
import Logging
import PostgresNIO

/// The `idempotency_keys` table: one row per (user, key), holding the first request's method,
/// path and body hash and, once it finished, its answer. The HTTP kit's middleware decides; this
/// is its SQL.
public struct IdempotencyStore: Sendable {
    /// A key whose first request has not finished after this long was abandoned (a crash).
    public static let abandonedAfter = "10 minutes"
    public static let keptFor = "24 hours"

    /// What a key holds when it was not free to reserve.
    public enum Held: Sendable {
        /// The first request is still running.
        case inProgress
        /// The key was used with another request (method, path or body).
        case otherRequest
        /// The first request's answer.
        case answer(Answer)
        /// Freed between the two statements by a failing first request.
        case changed
    }

    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String?
        public var etag: String?
        public var location: String?
        public var body: ByteBuffer

        public init(status: Int, contentType: String?, etag: String?, location: String?, body: ByteBuffer) {
            self.status = status
            self.contentType = contentType
            self.etag = etag
            self.location = location
            self.body = body
        }
    }

    let database: Database

    public init(database: Database) { self.database = database }

    /// Reserves the key for this request (nil: go on), or says what holds it: a finished
    /// request's answer, a running one, or another request. A key freed by a failed (5xx) first
    /// request, expired, or abandoned is taken again.
    public func reserve(userID: UUID, key: String, method: String, path: String, hash: ByteBuffer, logger: Logger) async throws -> Held? {
        try await database.withConnection { connection -> Held? in
            let inserted = try await connection.query("""
                INSERT INTO idempotency_keys (user_id, key, method, path, request_hash)
                VALUES (\(userID), \(key), \(method), \(path), \(hash))
                ON CONFLICT (user_id, key) DO UPDATE
                    SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
                        status = NULL, content_type = NULL, etag = NULL, location = NULL, body = NULL,
                        created_at = clock_timestamp(), completed_at = NULL
                    WHERE idempotency_keys.status = 0
                       OR idempotency_keys.created_at < clock_timestamp() - \(Self.keptFor)::interval
                       OR (idempotency_keys.status IS NULL
                           AND idempotency_keys.created_at < clock_timestamp() - \(Self.abandonedAfter)::interval)
                RETURNING true
                """, logger: logger)
            for try await _ in inserted { return nil }
            let rows = try await connection.query("""
                SELECT method, path, request_hash, status, content_type, etag, location, body
                FROM idempotency_keys WHERE user_id = \(userID) AND key = \(key)
                """, logger: logger)
            for try await row in rows {
                let c = row.makeRandomAccess()
                guard try c[0].decode(String.self) == method, try c[1].decode(String.self) == path,
                      try c[2].decode(ByteBuffer.self) == hash else { return .otherRequest }
                guard let status = try c[3].decode(Int?.self) else { return .inProgress }
                return .answer(Answer(status: status, contentType: try c[4].decode(String?.self), etag: try c[5].decode(String?.self),
                                      location: try c[6].decode(String?.self), body: try c[7].decode(ByteBuffer?.self) ?? ByteBuffer()))
            }
            return .changed
        }
    }

    /// Keeps the first request's answer under its key.
    public func keep(_ answer: Answer, userID: UUID, key: String, logger: Logger) async throws {
        try await database.withConnection { connection in
            try await connection.query("""
                UPDATE idempotency_keys
                SET status = \(answer.status), content_type = \(answer.contentType), etag = \(answer.etag), location = \(answer.location),
                    body = \(answer.body), completed_at = clock_timestamp()
                WHERE user_id = \(userID) AND key = \(key)
                """, logger: logger)
        }
    }

    /// Frees the key of a first request that failed, so that a retry runs again.
    public func release(userID: UUID, key: String, logger: Logger) async throws {
        try await database.withConnection { connection in
            try await connection.query("""
                UPDATE idempotency_keys SET status = 0 WHERE user_id = \(userID) AND key = \(key) AND status IS NULL
                """, logger: logger)
        }
    }

    /// Deletes the keys (and the answers they keep) older than `keptFor`; returns how many.
    @discardableResult
    public func purge(logger: Logger) async throws -> Int {
        try await database.withConnection { connection in
            var count = 0
            for try await _ in try await connection.query("""
                DELETE FROM idempotency_keys WHERE created_at < clock_timestamp() - \(Self.keptFor)::interval RETURNING 1
                """, logger: logger) {
                count += 1
            }
            return count
        }
    }
}
