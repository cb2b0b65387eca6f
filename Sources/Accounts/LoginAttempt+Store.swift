import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import Synchronization

/// The login_attempts table: failures per (username as typed, client address).
enum LoginAttemptStore {
    /// When the pair is locked, until when.
    static func lockedUntil(username: String, address: String, now: Date, on connection: PostgresConnection) async throws -> Date? {
        let rows = try await connection.query("""
            SELECT locked_until FROM login_attempts WHERE username = \(username) AND address = \(address) AND locked_until > \(now)
            """, logger: UserStore.logger)
        for try await until in rows.decode(Date.self) { return until }
        return nil
    }

    /// Counts one failure of the pair (a failure outside `window` of the first starts a new
    /// count); at `max` the pair is locked until `now + lockout`. Returns the count and the lock.
    static func fail(username: String, address: String, now: Date, window: TimeInterval, max: Int, lockout: TimeInterval,
                     on connection: PostgresConnection) async throws -> (failures: Int, lockedUntil: Date?) {
        try await connection.query("""
            INSERT INTO login_attempts (username, address, failures, window_started) VALUES (\(username), \(address), 0, \(now))
            ON CONFLICT (username, address) DO NOTHING
            """, logger: UserStore.logger)
        var failures = 0
        var started = now
        for try await (count, since) in try await connection.query("""
            SELECT failures, window_started FROM login_attempts WHERE username = \(username) AND address = \(address) FOR UPDATE
            """, logger: UserStore.logger).decode((Int, Date).self) {
            (failures, started) = (count, since)
        }
        if now.timeIntervalSince(started) > window { (failures, started) = (0, now) }
        failures += 1
        let lockedUntil = failures >= max ? now.addingTimeInterval(lockout) : nil
        try await connection.query("""
            UPDATE login_attempts SET failures = \(lockedUntil == nil ? failures : 0), window_started = \(started), locked_until = \(lockedUntil)
            WHERE username = \(username) AND address = \(address)
            """, logger: UserStore.logger)
        return (failures, lockedUntil)
    }

    /// A success clears the pair.
    static func succeed(username: String, address: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE login_attempts SET failures = 0, locked_until = NULL
            WHERE username = \(username) AND address = \(address) AND (failures <> 0 OR locked_until IS NOT NULL)
            """, logger: UserStore.logger)
    }

    /// An administrator's unlock: every address's count and lock for the name.
    static func unlock(username: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE login_attempts SET failures = 0, locked_until = NULL WHERE username = lower(\(username))
            """, logger: UserStore.logger)
    }
}

/// Logins per client address per minute, counted in memory before any database or bcrypt work:
/// a token bucket per address (a flood from one address costs nothing but this check).
final class LoginThrottle: Sendable {
    private struct Bucket { var tokens: Double; var at: Date }
    private let perMinute: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Nil when admitted; else the seconds until the next attempt is.
    func admit(_ address: String, now: Date) -> Int? {
        let capacity = Double(perMinute)
        return buckets.withLock { buckets in
            if buckets.count > 50_000 { buckets = buckets.filter { now.timeIntervalSince($0.value.at) < 60 } }
            var bucket = buckets[address] ?? Bucket(tokens: capacity, at: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now.timeIntervalSince(bucket.at)) * capacity / 60)
            bucket.at = now
            defer { buckets[address] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) * 60 / capacity).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }
}
