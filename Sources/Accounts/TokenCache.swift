import Foundation
import IFCCore
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The principals of recently seen tokens, so that the hot paths skip the token lookup's round
/// trip. Revocation still takes effect within `ttl` (at most a second) in every case:
/// - an entry is used for `ttl` after its lookup *started*, never longer, whatever is heard;
/// - nothing is cached unless the process listens on `ifcd_auth` (Schema: every revocation,
///   expiry change, disabling, role or password change notifies at its commit), and each
///   notification drops every entry at once;
/// - losing the listening connection drops every entry, and nothing is cached again until the
///   listener is back;
/// - a lookup that overlapped a notification or a loss of the listener is not cached (the
///   generation it started in has passed).
/// Changes this process makes itself (logout, revoke, user update) drop the entries right
/// after their commit, so the very next request is checked against the database.
public final class TokenCache: Sendable {
    public static let channel = "ifcd_auth"
    /// The longest a cached principal may be used: revocation within a second, as issue 15 requires.
    public static let maximumTTL: Duration = .seconds(1)

    struct Entry: Sendable {
        var principal: Principal
        var tokenExpiresAt: Date
        var fetchedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [ByteBuffer: Entry] = [:]
        var generation: UInt64 = 0
        var listening = false
    }

    /// How long an entry is used; zero turns the cache off.
    public let ttl: Duration
    let capacity: Int
    private let state = Mutex(State())
    private let clock = ContinuousClock()
    /// The clock an entry's age is counted on (injected so that tests move it by hand).
    private let instant: @Sendable () -> ContinuousClock.Instant

    public init(ttl: Duration, capacity: Int = 10_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.ttl = min(max(ttl, .zero), Self.maximumTTL)
        self.capacity = capacity
        self.instant = now
    }

    public var isEnabled: Bool { ttl > .zero }

    /// Principals held (fresh or not yet swept).
    public var count: Int { state.withLock { $0.entries.count } }

    /// True while notifications are heard (and so entries may be cached).
    public var isListening: Bool { state.withLock { $0.listening } }

    /// The cached principal of a token hash, if it is fresh, its token not expired by `now`,
    /// and notifications are heard.
    func principal(for hash: ByteBuffer, now: Date) -> Principal? {
        guard isEnabled else { return nil }
        let instant = self.instant()
        return state.withLock { state -> Principal? in
            guard state.listening, let entry = state.entries[hash] else { return nil }
            guard instant - entry.fetchedAt < ttl, entry.tokenExpiresAt > now else {
                state.entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Call before a lookup: the generation (and time) it started in, or nil when its answer
    /// may not be cached.
    func begin() -> (generation: UInt64, at: ContinuousClock.Instant)? {
        guard isEnabled else { return nil }
        let instant = self.instant()
        return state.withLock { $0.listening ? ($0.generation, instant) : nil }
    }

    /// Keeps a lookup's answer, unless a notification or a loss of the listener came since it began.
    func store(_ principal: Principal, tokenExpiresAt: Date, for hash: ByteBuffer, begun: (generation: UInt64, at: ContinuousClock.Instant)) {
        let now = self.instant()
        state.withLock { state in
            guard state.listening, state.generation == begun.generation else { return }
            if state.entries.count >= capacity {
                state.entries = state.entries.filter { now - $0.value.fetchedAt < ttl }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            }
            state.entries[hash] = Entry(principal: principal, tokenExpiresAt: tokenExpiresAt, fetchedAt: begun.at)
        }
    }

    /// Drops every entry (a notification, or a change this process committed).
    public func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }

    /// Listening began (true) or the connection was lost (false); either way every entry goes.
    func setListening(_ listening: Bool) {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
            state.listening = listening
        }
    }

    /// Listens on `ifcd_auth` over a pooled connection until cancelled, reconnecting after a
    /// loss (the cache stays off meanwhile).
    public func listen(client: PostgresClient, logger: Logger) async {
        guard isEnabled else { return }
        var backoff: Duration = .milliseconds(50)
        while !Task.isCancelled {
            let started = clock.now
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        self.setListening(true)
                        for try await _ in notifications { self.invalidateAll() }
                    }
                }
            } catch {
                if !Task.isCancelled { logger.warning("token cache listener lost; cache off until it is back", metadata: ["error": "\(error)"]) }
            }
            setListening(false)
            guard !Task.isCancelled else { break }
            // Retry at once after a long session; back off while the database stays away.
            backoff = clock.now - started > .seconds(5) ? .milliseconds(50) : min(backoff * 2, .seconds(2))
            try? await Task.sleep(for: backoff)
        }
        setListening(false)
    }
}
