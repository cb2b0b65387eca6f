import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// Users, tokens and login: the rules, apart from HTTP so that the CLI uses them too.
public struct Accounts: IFCModule {
    public struct Settings: Sendable {
        public var tokenTTL: TimeInterval = 8 * 3600
        public var maxFailedLogins = 5
        public var lockout: TimeInterval = 15 * 60
        /// Login attempts one client address may make per minute, whatever the usernames.
        public var loginsPerMinutePerAddress = 30
        /// How long a token's principal may be used without asking the database (at most a
        /// second; zero: always ask). See `TokenCache`.
        public var tokenCacheTTL: Duration = .zero
        public init(tokenTTL: TimeInterval = 8 * 3600, maxFailedLogins: Int = 5, lockout: TimeInterval = 15 * 60,
                    loginsPerMinutePerAddress: Int = 30, tokenCacheTTL: Duration = .zero) {
            self.tokenCacheTTL = tokenCacheTTL
            self.tokenTTL = tokenTTL
            self.maxFailedLogins = maxFailedLogins
            self.lockout = lockout
            self.loginsPerMinutePerAddress = loginsPerMinutePerAddress
        }
    }

    public let name = "accounts"
    let database: Database
    let audit: AuditWriter?
    let hasher: PasswordHasher
    let environment: AppEnvironment
    let settings: Settings
    let throttle: LoginThrottle
    /// Recently seen tokens' principals (off unless `settings.tokenCacheTTL` is above zero and
    /// `tokenCache.listen` runs).
    public let tokenCache: TokenCache

    public init(database: Database, audit: AuditWriter?, hasher: PasswordHasher, environment: AppEnvironment, settings: Settings = .init()) {
        self.tokenCache = TokenCache(ttl: settings.tokenCacheTTL)
        self.throttle = LoginThrottle(perMinute: settings.loginsPerMinutePerAddress)
        self.database = database
        self.audit = audit
        self.hasher = hasher
        self.environment = environment
        self.settings = settings
    }
}
