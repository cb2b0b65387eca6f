import Logging
import PostgresNIO
import Synchronization

/// Bounds how long a caller waits on the database when the database goes away.
///
/// Two waits have no bound of their own. PostgresNIO's pool queues a lease while it cannot
/// connect and fails the queue only after 60 s (its circuit breaker); and a query written to a
/// connection whose socket has just closed can be dropped without ever being answered. So each
/// piece of database work runs in a task of its own ([`DatabaseWork`]) and the caller waits for
/// its result; a ticker answers the caller "unavailable" (503) when the lease is not served by its
/// deadline, or when the work's connection has been closed for longer than `closedGrace`. The
/// work's task is then cancelled (which takes a queued lease out of the pool) and left to end, or
/// not, on its own. The caller's own task is never cancelled, so long-lived workers (the sealer,
/// the audit writer) live through an outage.
final class LeaseWatchdog: Sendable {
    private struct State {
        var next: UInt64 = 0
        var running: [UInt64: Watched] = [:]
    }

    private struct Watched {
        let work: any AbandonableWork
        let leaseDeadline: ContinuousClock.Instant
        var closedSince: ContinuousClock.Instant?
    }

    let timeout: Duration
    let closedGrace: Duration
    let logger: Logger
    private let state = Mutex(State())

    init(timeout: Duration, closedGrace: Duration = .seconds(2), logger: Logger) {
        self.timeout = timeout
        self.closedGrace = closedGrace
        self.logger = logger
    }

    /// Leases a connection from `client`, waiting at most `timeout`, and runs `body` with it.
    func run<T: Sendable>(_ client: PostgresClient, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let work = DatabaseWork<T>()
        let id = state.withLock { state in
            state.next &+= 1
            state.running[state.next] = Watched(work: work, leaseDeadline: ContinuousClock.now + timeout)
            return state.next
        }
        defer { state.withLock { _ = $0.running.removeValue(forKey: id) } }
        work.start(client, body)
        return try await work.result()
    }

    /// Abandons the work whose lease passed its deadline, or whose connection stayed closed.
    func tick(now: ContinuousClock.Instant = .now) {
        let late = state.withLock { state -> [(any AbandonableWork, StoreError)] in
            var late: [(any AbandonableWork, StoreError)] = []
            for (id, var watched) in state.running {
                switch watched.work.connectionState {
                case .waiting where watched.leaseDeadline <= now:
                    late.append((watched.work, .acquireTimeout))
                    state.running.removeValue(forKey: id)
                case .closed:
                    if let since = watched.closedSince {
                        if now - since >= closedGrace {
                            late.append((watched.work, .connectionLost))
                            state.running.removeValue(forKey: id)
                        }
                    } else {
                        watched.closedSince = now
                        state.running[id] = watched
                    }
                default:
                    break
                }
            }
            return late
        }
        for (work, error) in late {
            work.abandon(error)
            logger.warning("abandoned database work", metadata: ["reason": "\(error)"])
        }
    }

    /// Ticks until the owner is gone.
    static func run(tick: Duration, _ watchdog: @escaping @Sendable () -> LeaseWatchdog?) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            guard let watchdog = watchdog() else { return }
            watchdog.tick()
        }
    }
}

enum WorkConnectionState {
    case waiting, open, closed, done
}

protocol AbandonableWork: Sendable {
    var connectionState: WorkConnectionState { get }
    func abandon(_ error: StoreError)
}

/// One piece of database work on a task of its own, whose caller can be answered without it.
final class DatabaseWork<T: Sendable>: AbandonableWork {
    private struct State {
        var connection: PostgresConnection?
        var finished = false
        var outcome: Result<T, any Error>?
        var caller: CheckedContinuation<T, any Error>?
        var task: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func start(_ client: PostgresClient, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) {
        let task = Task {
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await client.withConnection { connection in
                    self.state.withLock { $0.connection = connection }
                    // A connection lent just as its socket closed would swallow the first query.
                    if connection.isClosed { throw StoreError.connectionLost }
                    return try await body(connection)
                })
            } catch {
                outcome = .failure(error)
            }
            self.finish(outcome)
            // The handle is kept only to cancel a wait; a finished task lets go of it, so that
            // the work and its task do not hold each other.
            self.state.withLock { $0.task = nil }
        }
        state.withLock { state in
            if !state.finished { state.task = task }
        }
    }

    var connectionState: WorkConnectionState {
        state.withLock { state in
            if state.finished { return .done }
            guard let connection = state.connection else { return .waiting }
            return connection.isClosed ? .closed : .open
        }
    }

    func result() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                if let outcome = state.outcome {
                    continuation.resume(with: outcome)
                } else {
                    state.caller = continuation
                }
            }
        }
    }

    func abandon(_ error: StoreError) {
        let task = state.withLock { $0.task }
        finish(.failure(error))
        task?.cancel()
    }

    private func finish(_ outcome: Result<T, any Error>) {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            state.outcome = outcome
            state.caller?.resume(with: outcome)
            state.caller = nil
        }
    }
}
