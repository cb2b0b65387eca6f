// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ifcd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ifcd", targets: ["ifcd"]),
        // For the in-process benchmarks (Benchmarks/, a package of its own), which import these.
        .library(name: "IFCBenchmarkable", targets: ["IFCCore", "IFCStore", "IFCHTTP", "Registry", "IFCServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Already in the graph through Hummingbird and PostgresNIO; named so that our code may import them.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Printable pages (forensic reports, trace documents) from templates, not Swift strings.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Identifiers, roles, the principal, problems, pagination, audit values. No HTTP, no SQL.
        .target(
            name: "IFCCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL: client, transactions, migrations, the embedded cluster, the audit trail.
        .target(
            name: "IFCStore",
            dependencies: [
                "IFCCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedSchema"]
        ),
        // Build-time tool and plugin that compile Schema/*.sql into IFCStore.
        .executableTarget(name: "embed-schema", path: "Sources/embed-schema"),
        .plugin(name: "EmbedSchema", capability: .buildTool(), dependencies: ["embed-schema"]),
        // The same tool compiles Config/makes-models.json (the reference table) into Registry.
        .plugin(name: "EmbedReference", capability: .buildTool(), dependencies: ["embed-schema"]),
        // And a target's Templates/*.mustache (printable pages) into that target.
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["embed-schema"]),
        // HTTP conventions every module shares: context, problems, auth, roles, ETag, idempotency,
        // pagination, OpenAPI, and the module protocol.
        .target(
            name: "IFCHTTP",
            dependencies: [
                "IFCCore", "IFCStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            exclude: ["Templates"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedTemplates"]
        ),
        // Users, tokens, login.
        .target(
            name: "Accounts",
            dependencies: [
                "IFCCore", "IFCStore", "IFCHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The registry's public face: its models and the read and intake protocols. The only part
        // of the registry another module may import.
        .target(
            name: "RegistryAPI",
            dependencies: [
                "IFCCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The national firearms registry: firearms, versions, events, holders, serial search.
        .target(
            name: "Registry",
            dependencies: [
                "IFCCore", "IFCStore", "IFCHTTP", "RegistryAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedReference"]
        ),
        // The forensics module's public face: seizures, cases, examinations and its read protocol.
        .target(name: "ForensicsAPI", dependencies: ["IFCCore", "RegistryAPI"], swiftSettings: swiftSettings),
        // Seizures, forensic cases, examinations; reads and writes the registry only through its APIs.
        .target(
            name: "Forensics",
            dependencies: [
                "IFCCore", "IFCStore", "IFCHTTP", "RegistryAPI", "ForensicsAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Templates"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedTemplates"]
        ),
        // Exhibits and their chain of custody; reads cases and seizures through the forensics read
        // API and firearms through the registry's.
        .target(name: "ExhibitsAPI", dependencies: ["IFCCore", "ForensicsAPI"], swiftSettings: swiftSettings),
        .target(
            name: "Exhibits",
            dependencies: [
                "IFCCore", "IFCStore", "IFCHTTP", "RegistryAPI", "ForensicsAPI", "ExhibitsAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // International tracing requests; reads the registry, forensics and exhibits only through their read APIs.
        // (Named IFCTracing: swift-distributed-tracing, in the graph through Hummingbird, has a `Tracing` target.)
        .target(
            name: "IFCTracing",
            dependencies: [
                "IFCCore", "IFCStore", "IFCHTTP", "RegistryAPI", "ForensicsAPI", "ExhibitsAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Sources/Tracing",
            exclude: ["Templates"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedTemplates"]
        ),
        // Assembles modules, middleware, metrics and the OpenAPI document.
        .target(
            name: "IFCServer",
            dependencies: [
                "IFCCore", "IFCStore", "IFCHTTP", "Accounts", "Registry", "Forensics", "Exhibits", "IFCTracing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ifcd",
            dependencies: [
                "IFCServer", "IFCStore", "Accounts", "Registry", "Forensics", "Exhibits", "IFCTracing", "IFCCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IFCTests",
            dependencies: [
                "IFCServer", "IFCStore", "IFCHTTP", "Accounts", "Registry", "Forensics", "Exhibits", "IFCTracing", "IFCCore",
                "RegistryAPI", "ForensicsAPI", "ExhibitsAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The throwaway module's schema files, read at run time by its test.
            exclude: ["KitDemo/Schema"],
            swiftSettings: swiftSettings
        ),
    ]
)
