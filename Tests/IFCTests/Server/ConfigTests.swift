import Foundation
import IFCServer
import IFCStore
import Testing

@Suite("Configuration")
struct ConfigTests {
    // Tests/IFCTests/Server/ConfigTests.swift → the package root.
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Config/ifcd.example.json").path

    @Test("the documented example file loads, and environment variables override it")
    func exampleAndEnvironment() async throws {
        let fromFile = try await AppConfig.load(file: Self.example, environment: [:])
        #expect(fromFile.dataDir == "/var/lib/ifcd")
        #expect(fromFile.databaseURL == nil, "an empty url means the embedded cluster")
        #expect(fromFile.nodeCountry == "JM")
        let overridden = try await AppConfig.load(file: Self.example, environment: [
            "IFCD_HTTP_PORT": "9099", "IFCD_DATA_DIR": "/srv/ifcd", "IFCD_AUTH_TOKEN_TTL_SECONDS": "3600",
            "IFCD_DATABASE_URL": "postgres://ifcd_app:secret@db.example:5432/ifcd",
        ])
        #expect(overridden.port == 9099)
        #expect(overridden.dataDir == "/srv/ifcd")
        #expect(overridden.tokenTTL == 3600)
        #expect(overridden.databaseURL == "postgres://ifcd_app:secret@db.example:5432/ifcd")
        // The embedded cluster: its socket only, unless loopback is asked for.
        #expect(fromFile.storeOptions.clusterOptions.listenOnLoopback == false)
        let loopback = try await AppConfig.load(file: Self.example, environment: ["IFCD_DATABASE_EMBEDDED_LISTEN_LOOPBACK": "true"])
        #expect(loopback.storeOptions.clusterOptions.listenOnLoopback == true)
    }

    @Test("a wrong value stops start-up naming the key")
    func wrongValues() async throws {
        for (key, value, name) in [("IFCD_HTTP_PORT", "eighty", "http.port"), ("IFCD_HTTP_PORT", "70000", "http.port"),
                                   ("IFCD_NODE_COUNTRY", "Jamaica", "node.country"), ("IFCD_AUTH_BCRYPT_COST", "2", "auth.bcryptCost"),
                                   ("IFCD_DATABASE_EMBEDDED_LISTEN_LOOPBACK", "maybe", "database.embeddedListenLoopback")] {
            do {
                _ = try await AppConfig.load(file: nil, environment: [key: value])
                Issue.record("\(key)=\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.description.contains(name), "\(error.description)")
            }
        }
        await #expect(throws: ConfigurationError.self) { _ = try await AppConfig.load(file: "/nonexistent/ifcd.json", environment: [:]) }
    }

    @Test("database URLs: TLS preferred by default, required for require and verify-full, off for disable")
    func databaseURLs() throws {
        func tls(_ url: String) throws -> TLSMode? {
            if case .tcp(_, _, let mode) = try ConnectionSettings(url: url).endpoint { return mode }
            return nil
        }
        #expect(try tls("postgres://app:pw@db.example/ifcd") == .prefer)
        #expect(try tls("postgres://app:pw@db.example/ifcd?sslmode=require") == .require)
        #expect(try tls("postgres://app:pw@db.example/ifcd?sslmode=verify-full") == .require)
        #expect(try tls("postgres://app:pw@db.example/ifcd?sslmode=disable") == .disable)
        #expect(throws: ConfigurationError.self) { _ = try ConnectionSettings(url: "postgres://db.example/ifcd") }
    }

    @Test("the pool arms no keep-alive timer and a 5 s idle timer: cancelled timers hold memory until their deadline")
    func poolTimers() throws {
        let options = try ConnectionSettings(url: "postgres://app:pw@db.example/ifcd").clientConfiguration(maximumConnections: 8).options
        #expect(options.keepAliveBehavior == nil)
        #expect(options.connectionIdleTimeout == .seconds(5))
        #expect(options.maximumConnections == 8)
    }
}
