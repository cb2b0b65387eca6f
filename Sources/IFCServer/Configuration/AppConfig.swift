import Configuration
import Foundation
import IFCCore
import IFCStore
import Registry

/// ifcd's settings, from (highest first) command-line flags, `IFCD_*` environment variables,
/// the JSON config file, and defaults. `Config/ifcd.example.json` documents every key.
public struct AppConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDir = ".ifcd"
    public var databaseURL: String?
    public var ownerDatabaseURL: String?
    /// `database.sealerUrl`: the audit sealer's role (`ifcd_sealer`) on an external database.
    public var sealerDatabaseURL: String?
    public var poolSize = 20
    public var acquireTimeoutSeconds = 5
    public var tokenTTL: TimeInterval = 8 * 3600
    /// `auth.tokenCacheMs`: how long `serve` uses a token's principal without asking the
    /// database (0–1000; 0 asks every time). Revocations, disabling, role and password changes
    /// drop the cache at their commit (LISTEN/NOTIFY); this bounds it when notifications are lost.
    public var tokenCacheMilliseconds = 1000
    public var bcryptCost = 12
    public var maxFailedLogins = 5
    public var lockoutSeconds: TimeInterval = 15 * 60
    /// `auth.loginsPerMinutePerAddress`: login attempts one client address may make per minute.
    public var loginsPerMinutePerAddress = 30
    public var logLevel = "info"
    public var logFormat = "json"
    /// ISO 3166-1 alpha-2 code of the country this node serves.
    public var nodeCountry: String?
    public var auditWriters = 2
    public var auditMaxUnsealedSeconds: TimeInterval = 900
    /// `audit.checkpointSeconds`: how often `serve` signs a checkpoint of the chain's head.
    public var auditCheckpointSeconds = 60
    /// `audit.sealRunEntries`: at most this many entries under one seal (1–5000; 1 seals each
    /// entry alone, for the benchmark's comparison).
    public var auditSealRunEntries = 5000
    /// `audit.checkpointDir` (default DATA/checkpoints) and `audit.keyDir` (default DATA/keys):
    /// where checkpoints are written for shipping to write-once storage, and the signing key.
    public var auditCheckpointDir: String?
    /// `audit.maxReadsPerHour`: records one user may read in an hour, over every route; a user
    /// holding `bulk_reader` has no ceiling. Counted in the serving process (see `ReadCeiling`).
    public var auditMaxReadsPerHour = 5000
    public var auditKeyDir: String?
    /// The audit seals' HMAC key file (`audit.keyDir`/seal.key), unless `IFCD_AUDIT_SEAL_KEY`
    /// holds the key.
    public var sealKeyURL: URL { URL(fileURLWithPath: auditKeyDir ?? dataDir + "/keys").appendingPathComponent("seal.key") }
    public func sealKey(create: Bool) throws -> AuditSealKey { try AuditSealKey.load(file: sealKeyURL, create: create) }
    public var checkpointFiles: CheckpointFiles {
        CheckpointFiles(keyDirectory: URL(fileURLWithPath: auditKeyDir ?? dataDir + "/keys"),
                        checkpointDirectory: URL(fileURLWithPath: auditCheckpointDir ?? dataDir + "/checkpoints"))
    }
    /// `registry.categories`: the legal categories a firearm may be given (comma-separated in
    /// the environment), by default EU 2021/555's A, B, C and a national one.
    public var registryCategories = ["A", "B", "C", "national"]
    /// `registry.retentionYears.licensing` and `.lawEnforcement`: years after destruction a record
    /// is kept for each use before it is listed for a decision (EU 2021/555 Art 4(4): 10 and 30).
    public var retentionYearsLicensing = 10
    public var retentionYearsLawEnforcement = 30
    /// `registry.makesModelsFile`: a JSON file in the form of `Config/makes-models.json` whose
    /// makes, models and calibres are added to the compiled-in reference table.
    public var registryMakesModelsFile: String?
    /// The reference table registrations are compared with: the standard one, plus that file.
    public var registryMakesModels = MakesModels.standard
    /// `imports.maxBytes`, `imports.maxRows`: the caps of `POST /v1/imports/firearms`.
    public var importMaxBytes = RegistrySettings.defaultImportMaxBytes
    public var importMaxRows = RegistrySettings.defaultImportMaxRows
    /// `database.allowInsecureTransport`: reach an external database on another host without
    /// verified TLS (a network the operator trusts); off by default.
    public var databaseAllowInsecureTransport = false
    /// `database.embeddedListenLoopback`: the embedded cluster also listens on 127.0.0.1 (for
    /// tools that cannot use its Unix socket); off by default: the socket only.
    public var databaseEmbeddedListenLoopback = false
    /// `forensics.laboratory`: the laboratory named on every forensic report (ISO/IEC 17025
    /// §7.8.2.1 b), with its address as it should be printed.
    public var forensicsLaboratory = "Integrated Firearms Centre, forensic firearms laboratory"
    /// `tracing.timeToCrimeYears`: a traced firearm recovered within this many years of its first
    /// retail sale is flagged as a short time-to-crime (ATF's measure: 3).
    public var tracingTimeToCrimeYears = 3

    public init() {}

    /// Reads the environment and the optional file. A key present with a value of the wrong type
    /// stops start-up with the key's name, rather than falling back silently.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> AppConfig {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "ifcd"),
        ]
        if let file {
            guard FileManager.default.fileExists(atPath: file) else { throw ConfigurationError("config file \(file) does not exist") }
            providers.append(try await FileProvider<JSONSnapshot>(filePath: .init(file)))
        }
        let reader = ConfigReader(providers: providers)
        var config = AppConfig()
        func string(_ key: ConfigKey) -> String? {
            reader.string(forKey: key, isSecret: key.components.last?.lowercased().contains("url") ?? false)
        }
        func int(_ key: ConfigKey, _ name: String) throws -> Int? {
            let full = key
            if let value = reader.int(forKey: full) { return value }
            if let text = reader.string(forKey: full) {
                guard let value = Int(text) else { throw ConfigurationError("\(name) must be an integer, not '\(text)'") }
                return value
            }
            return nil
        }
        if let v = string(["http", "host"]) { config.host = v }
        if let v = try int(["http", "port"], "http.port") { config.port = v }
        if let v = string(["data", "dir"]) { config.dataDir = v }
        if let v = string(["database", "url"]), !v.isEmpty { config.databaseURL = v }
        if let v = string(["database", "ownerUrl"]), !v.isEmpty { config.ownerDatabaseURL = v }
        if let v = string(["database", "sealerUrl"]), !v.isEmpty { config.sealerDatabaseURL = v }
        if let v = string(["database", "allowInsecureTransport"]) {
            guard let flag = Bool(v.lowercased()) else { throw ConfigurationError("database.allowInsecureTransport must be true or false") }
            config.databaseAllowInsecureTransport = flag
        }
        if let v = string(["database", "embeddedListenLoopback"]) {
            guard let flag = Bool(v.lowercased()) else { throw ConfigurationError("database.embeddedListenLoopback must be true or false") }
            config.databaseEmbeddedListenLoopback = flag
        }
        if let v = try int(["database", "poolSize"], "database.poolSize") { config.poolSize = v }
        if let v = try int(["database", "acquireTimeoutSeconds"], "database.acquireTimeoutSeconds") { config.acquireTimeoutSeconds = v }
        if let v = try int(["auth", "tokenTtlSeconds"], "auth.tokenTtlSeconds") { config.tokenTTL = TimeInterval(v) }
        if let v = try int(["auth", "tokenCacheMs"], "auth.tokenCacheMs") { config.tokenCacheMilliseconds = v }
        if let v = try int(["auth", "bcryptCost"], "auth.bcryptCost") { config.bcryptCost = v }
        if let v = try int(["auth", "maxFailedLogins"], "auth.maxFailedLogins") { config.maxFailedLogins = v }
        if let v = try int(["auth", "loginsPerMinutePerAddress"], "auth.loginsPerMinutePerAddress") {
            guard (1...100_000).contains(v) else { throw ConfigurationError("auth.loginsPerMinutePerAddress must be 1 to 100000") }
            config.loginsPerMinutePerAddress = v
        }
        if let v = try int(["auth", "lockoutSeconds"], "auth.lockoutSeconds") { config.lockoutSeconds = TimeInterval(v) }
        if let v = string(["log", "level"]) { config.logLevel = v }
        if let v = string(["log", "format"]) { config.logFormat = v }
        if let v = string(["node", "country"]) { config.nodeCountry = v }
        if let v = try int(["audit", "writers"], "audit.writers") { config.auditWriters = v }
        if let v = try int(["audit", "maxUnsealedSeconds"], "audit.maxUnsealedSeconds") { config.auditMaxUnsealedSeconds = TimeInterval(v) }
        if let v = try int(["audit", "sealRunEntries"], "audit.sealRunEntries") {
            guard (1...5000).contains(v) else { throw ConfigurationError("audit.sealRunEntries must be 1 to 5000") }
            config.auditSealRunEntries = v
        }
        if let v = try int(["audit", "checkpointSeconds"], "audit.checkpointSeconds") {
            guard (1...3600).contains(v) else { throw ConfigurationError("audit.checkpointSeconds must be 1 to 3600") }
            config.auditCheckpointSeconds = v
        }
        if let v = try int(["audit", "maxReadsPerHour"], "audit.maxReadsPerHour") {
            guard (1...100_000_000).contains(v) else { throw ConfigurationError("audit.maxReadsPerHour must be 1 to 100000000") }
            config.auditMaxReadsPerHour = v
        }
        if let v = string(["audit", "checkpointDir"]), !v.isEmpty { config.auditCheckpointDir = v }
        if let v = string(["audit", "keyDir"]), !v.isEmpty { config.auditKeyDir = v }
        if let v = try int(["registry", "retentionYears", "licensing"], "registry.retentionYears.licensing") {
            guard (1...100).contains(v) else { throw ConfigurationError("registry.retentionYears.licensing must be 1 to 100") }
            config.retentionYearsLicensing = v
        }
        if let v = try int(["registry", "retentionYears", "lawEnforcement"], "registry.retentionYears.lawEnforcement") {
            guard (1...100).contains(v) else { throw ConfigurationError("registry.retentionYears.lawEnforcement must be 1 to 100") }
            config.retentionYearsLawEnforcement = v
        }
        if let v = try int(["imports", "maxBytes"], "imports.maxBytes") {
            guard (1024...(1 << 30)).contains(v) else { throw ConfigurationError("imports.maxBytes must be 1024 to 1073741824") }
            config.importMaxBytes = v
        }
        if let v = try int(["imports", "maxRows"], "imports.maxRows") {
            guard (1...10_000_000).contains(v) else { throw ConfigurationError("imports.maxRows must be 1 to 10000000") }
            config.importMaxRows = v
        }
        if let v = string(["forensics", "laboratory"]) {
            guard !v.isBlank, v.count <= 300 else { throw ConfigurationError("forensics.laboratory must be 1 to 300 characters") }
            config.forensicsLaboratory = v
        }
        if let v = try int(["tracing", "timeToCrimeYears"], "tracing.timeToCrimeYears") {
            guard (1...50).contains(v) else { throw ConfigurationError("tracing.timeToCrimeYears must be 1 to 50") }
            config.tracingTimeToCrimeYears = v
        }
        if let v = string(["registry", "categories"]) {
            let categories = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !categories.isEmpty, categories.allSatisfy({ $0.count <= 50 }) else {
                throw ConfigurationError("registry.categories must name at least one category of at most 50 characters")
            }
            config.registryCategories = categories
        }
        if let v = string(["registry", "makesModelsFile"]), !v.isEmpty {
            config.registryMakesModelsFile = v
            do {
                config.registryMakesModels = try MakesModels.standard(adding: v)
            } catch {
                throw ConfigurationError("registry.makesModelsFile: \(error.description)")
            }
        }
        try config.validate()
        return config
    }

    public func validate() throws {
        guard (1...65535).contains(port) else { throw ConfigurationError("http.port must be 1...65535") }
        guard (1...500).contains(poolSize) else { throw ConfigurationError("database.poolSize must be 1...500") }
        guard (1...300).contains(acquireTimeoutSeconds) else { throw ConfigurationError("database.acquireTimeoutSeconds must be 1...300") }
        guard (4...31).contains(bcryptCost) else { throw ConfigurationError("auth.bcryptCost must be 4...31") }
        guard tokenTTL >= 60 else { throw ConfigurationError("auth.tokenTtlSeconds must be at least 60") }
        guard (0...1000).contains(tokenCacheMilliseconds) else { throw ConfigurationError("auth.tokenCacheMs must be 0...1000") }
        guard maxFailedLogins >= 1 else { throw ConfigurationError("auth.maxFailedLogins must be at least 1") }
        guard (1...16).contains(auditWriters) else { throw ConfigurationError("audit.writers must be 1...16") }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigurationError("log.level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["json", "text"].contains(logFormat) else { throw ConfigurationError("log.format must be json or text") }
        if let country = nodeCountry {
            guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                throw ConfigurationError("node.country must be an ISO 3166-1 alpha-2 code such as JM or TT")
            }
        }
    }

    public var storeOptions: StoreRuntime.Options {
        var options = StoreRuntime.Options(dataDir: URL(fileURLWithPath: dataDir), databaseURL: databaseURL,
                                           ownerDatabaseURL: ownerDatabaseURL, poolSize: poolSize)
        options.sealerDatabaseURL = sealerDatabaseURL
        options.acquireTimeout = .seconds(acquireTimeoutSeconds)
        options.allowInsecureTransport = databaseAllowInsecureTransport
        options.clusterOptions.listenOnLoopback = databaseEmbeddedListenLoopback
        return options
    }
}
