import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IFCCore
import IFCServer
import IFCStore
import NIOCore
import PostgresNIO
import Synchronization
import Testing

/// The test app with a way to send many requests at once, each on a connection of its own.
struct LiveTestApp: Sendable {
    /// The usual test app, whose client is one keep-alive connection to the live server: for
    /// arranging data and checking it afterwards.
    let app: TestApp
    let port: Int
    /// Requests inside the application's responder right now, and the most at one time.
    let inFlight: InFlight

    struct Request: Sendable {
        var method: HTTPRequest.Method
        var uri: String
        var token: String?
        var json: String?
        var headers: HTTPFields = [:]
    }

    /// Sends every request on a connection of its own, all at once: each task opens its
    /// connection and waits at a gate; the gate opens when all of them are connected, and only
    /// then does any request go out. Answers are in the order of `requests`.
    func atOnce(_ requests: [Request]) async throws -> [TestClient.Response] {
        let gate = StartingGate(count: requests.count)
        let port = self.port
        return try await withThrowingTaskGroup(of: (Int, TestClient.Response).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask {
                    let client = TestClient(host: "localhost", port: port, configuration: .init(timeout: .seconds(30)))
                    client.connect()
                    let connected: Result<Void, any Error>
                    do {
                        _ = try await client.getChannel()
                        connected = .success(())
                    } catch {
                        connected = .failure(error)
                    }
                    // Arrive even when the connection failed, so that the others are not kept waiting.
                    await gate.arrive()
                    do {
                        try connected.get()
                        var headers = request.headers
                        if let token = request.token { headers[.authorization] = "Bearer \(token)" }
                        if request.json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
                        let response = try await client.execute(TestClient.Request(
                            request.uri, method: request.method, authority: "localhost", headers: headers,
                            body: request.json.map { ByteBuffer(string: $0) }))
                        try await client.shutdown()
                        return (index, response)
                    } catch {
                        try? await client.shutdown()
                        throw error
                    }
                }
            }
            var responses: [(Int, TestClient.Response)] = []
            for try await response in group { responses.append(response) }
            return responses.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

/// Releases every waiting task together once `count` of them have arrived.
final class StartingGate: Sendable {
    private struct State {
        var missing: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(missing: count)) }

    func arrive() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let release = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.waiting.append(continuation)
                state.missing -= 1
                guard state.missing == 0 else { return [] }
                defer { state.waiting = [] }
                return state.waiting
            }
            for waiter in release { waiter.resume() }
        }
    }
}

/// Counts the requests inside the responder: `peak > 1` shows the server really handled
/// requests at the same time.
final class InFlight: Sendable {
    private let state = Mutex((current: 0, peak: 0))

    func enter() {
        state.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
    }

    func leave() { state.withLock { $0.current -= 1 } }

    var peak: Int { state.withLock { $0.peak } }

    func resetPeak() { state.withLock { $0.peak = $0.current } }
}

/// `withTestApp` (the app as `serve` builds and runs it, on a loopback port) with its requests
/// in flight counted, for tests that send many requests at once.
func withLiveTestApp(configure: (inout AppConfig) -> Void = { _ in }, _ body: @Sendable (LiveTestApp) async throws -> Void) async throws {
    let inFlight = InFlight()
    let counting = ClosureMiddleware { request, context, next in
        inFlight.enter()
        defer { inFlight.leave() }
        return try await next(request, context)
    }
    try await withTestApp(configure: configure, outerMiddleware: counting) { app in
        let port = try #require(app.port)
        try await body(LiveTestApp(app: app, port: port, inFlight: inFlight))
    }
}
