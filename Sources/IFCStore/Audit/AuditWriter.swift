import Foundation
import IFCCore
import Logging
import PostgresNIO
import Synchronization

/// Group commit for read entries. Requests enqueue their entry and wait; a few flush workers
/// each take everything queued (up to `maxBatch`), insert it in one statement, commit, and
/// resume the waiting requests. Under load batches grow by themselves, so one commit serves
/// many reads; at rest a read waits for a single small commit.
public final class AuditWriter: Sendable {
    /// For statements whose failures surface as errors anyway: nothing logged per query.
    public static let quietLogger = Logger(label: "ifcd.audit.sql", factory: { _ in SwiftLogNoOpLogHandler() })

    private struct Pending {
        var entry: AuditEntry
        var completion: Completion
    }

    /// Resumes its caller once every entry it covers is committed, or on the first failure.
    private final class Completion: Sendable {
        private struct State {
            var remaining: Int
            var continuation: CheckedContinuation<Void, any Error>?
        }
        private let state: Mutex<State>

        init(count: Int, continuation: CheckedContinuation<Void, any Error>) {
            state = Mutex(State(remaining: count, continuation: continuation))
        }

        func succeed() {
            let done = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                state.remaining -= 1
                guard state.remaining == 0 else { return nil }
                defer { state.continuation = nil }
                return state.continuation
            }
            done?.resume()
        }

        func fail(_ error: any Error) {
            let done = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                defer { state.continuation = nil }
                return state.continuation
            }
            done?.resume(throwing: error)
        }
    }

    private struct State {
        var queue: [Pending] = []
        var idleWorkers: [CheckedContinuation<Void, Never>] = []
        var stopped = false
    }

    private let database: Database
    private let state = Mutex(State())
    private let workers: Int
    private let maxBatch: Int
    private let onFlush: @Sendable () -> Void
    private let observe: @Sendable (_ entries: Int, _ duration: Duration, _ inFlight: Int) -> Void
    /// Flushes under way now (at most `workers`).
    private let flushing = Atomic<Int>(0)
    /// The per-user ceiling of records read per hour; nil (the CLI, the demo seed): none.
    public let readCeiling: ReadCeiling?

    /// - Parameters:
    ///   - onFlush: called after each committed batch (the sealer's wake-up).
    ///   - observe: told each batch's size, how long its flush took, and how many flushes
    ///     (its own included) were in flight when it began (for `/metrics`).
    public init(database: Database, workers: Int = 2, maxBatch: Int = 1000, readCeiling: ReadCeiling? = nil,
                onFlush: @escaping @Sendable () -> Void = {},
                observe: @escaping @Sendable (_ entries: Int, _ duration: Duration, _ inFlight: Int) -> Void = { _, _, _ in }) {
        self.observe = observe
        self.database = database
        self.workers = workers
        self.maxBatch = maxBatch
        self.readCeiling = readCeiling
        self.onFlush = onFlush
    }

    /// Records a read entry; returns once it is committed. Throws when it could not be stored,
    /// in which case the caller must not answer with the record's data.
    public func record(_ entry: AuditEntry) async throws {
        try await record([entry])
    }

    /// Records the entries of one read (a list: one per record returned); returns once all are
    /// committed, whichever batches they land in. Every read of every module passes here before
    /// its data is answered, so the read ceiling is kept here: over it, the refusal is recorded
    /// instead and a 429 thrown.
    public func record(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        if let readCeiling {
            for (user, records) in ReadCeiling.recordsRead(in: entries) {
                guard case .refused(let read, let retryAfter) = readCeiling.admit(records, by: user),
                      let first = entries.first(where: { $0.actorID == user }) else { continue }
                let refusal = AuditEntry(actor: first.actor, actorID: user, roles: first.roles, action: "read.ceiling",
                                         recordType: first.recordType, requestID: first.requestID, outcome: .denied,
                                         detail: AuditEntry.detail(["action": first.action, "records": "\(records)",
                                                                    "read_in_hour": "\(read)", "ceiling": "\(readCeiling.maxPerHour)"]))
                try await enqueue([refusal])
                throw Problem(slug: "read-ceiling", title: "Too many records read", status: 429,
                              detail: "\(read) records read in the last hour and \(records) more asked; the ceiling is \(readCeiling.maxPerHour) an hour "
                                  + "(an administrator may grant the bulk_reader role): retry in \(retryAfter) s",
                              retryAfter: retryAfter)
            }
        }
        try await enqueue(entries)
    }

    private func enqueue(_ entries: [AuditEntry]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let completion = Completion(count: entries.count, continuation: continuation)
            let worker: CheckedContinuation<Void, Never>?? = state.withLock { state in
                if state.stopped { return .none }
                state.queue.append(contentsOf: entries.map { Pending(entry: $0, completion: completion) })
                return .some(state.idleWorkers.popLast())
            }
            switch worker {
            case .none:
                completion.fail(Problem.unavailable("the audit writer is shutting down"))
            case .some(let idle):
                idle?.resume()
            }
        }
    }

    /// Runs the flush workers until cancelled; then drains what is queued.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask { await self.workerLoop() }
            }
            await withTaskCancellationHandler {
                await group.waitForAll()
            } onCancel: {
                self.stop()
            }
        }
    }

    public func stop() {
        let idle = state.withLock { state in
            state.stopped = true
            let idle = state.idleWorkers
            state.idleWorkers = []
            return idle
        }
        idle.forEach { $0.resume() }
    }

    private func workerLoop() async {
        while true {
            let (batch, stopped) = state.withLock { state -> ([Pending], Bool) in
                let count = min(state.queue.count, maxBatch)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return (batch, state.stopped)
            }
            if batch.isEmpty {
                if stopped { return }
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.queue.isEmpty || state.stopped { return true }
                        state.idleWorkers.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
                continue
            }
            await flush(batch)
        }
    }

    private func flush(_ batch: [Pending]) async {
        let clock = ContinuousClock()
        let started = clock.now
        let inFlight = flushing.add(1, ordering: .relaxed).newValue
        defer { flushing.subtract(1, ordering: .relaxed) }
        do {
            try await database.withConnection { connection in
                try await AuditLog.appendBatch(batch.map(\.entry), on: connection)
            }
            batch.forEach { $0.completion.succeed() }
            observe(batch.count, clock.now - started, inFlight)
            onFlush()
        } catch {
            database.logger.error("audit batch failed", metadata: ["entries": "\(batch.count)", "error": "\(String(reflecting: error))"])
            let failure: any Error = (error as? StoreError)?.isUnavailable == true
                ? Problem.unavailable("the audit trail cannot be written; the read was not answered")
                : error
            batch.forEach { $0.completion.fail(failure) }
        }
    }
}

extension AuditWriter {
    /// Records the entries of a list or search read (see `AuditEntry.reads`): one per record
    /// shown, or one for an empty answer, each with the query's terms. Returns once committed.
    public func recordReads(of recordIDs: [UUID], action: String, recordType: String, by principal: Principal,
                            requestID: String?, query: [String: String] = [:]) async throws {
        try await record(AuditEntry.reads(of: recordIDs, action: action, recordType: recordType, principal: principal,
                                          requestID: requestID, query: query))
    }
}
