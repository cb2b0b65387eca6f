import Hummingbird
import NIOCore
import Synchronization

/// Runs a request's handler on the event loop of its connection (a task executor preference,
/// SE-0417) rather than on Swift's cooperative pool: each await on the database then resumes on
/// an event loop thread instead of waking a pool thread, and the answer is written from the
/// thread that owns the socket. Opt-in (`http.executor` = `eventLoop`), measured A/B against
/// the pool in Deploy/RESULTS.md (stop 21).
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: an event loop is thread-safe; nothing here changes after init.
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    private static let executors = Mutex<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    /// The executor of `eventLoop`, one for each loop, made on first use.
    public static func of(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor {
        executors.withLock { executors in
            let key = ObjectIdentifier(eventLoop)
            if let executor = executors[key] { return executor }
            let executor = EventLoopTaskExecutor(eventLoop)
            executors[key] = executor
            return executor
        }
    }
}

/// Runs the rest of the chain with the connection's event loop as its preferred task executor.
public struct EventLoopExecutorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(EventLoopTaskExecutor.of(context.eventLoop)) {
            try await next(request, context)
        }
    }
}
