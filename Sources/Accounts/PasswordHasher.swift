import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt, off the event loops: a hash at cost 12 takes a quarter second of CPU.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    /// A hash of a random string at the same cost: unknown users are refused after the same work.
    let timingHash: String

    public init(cost: UInt8 = 12) {
        precondition((4...31).contains(cost), "bcrypt cost must be 4...31")
        self.cost = cost
        self.timingHash = Bcrypt.hash(UUID().uuidString, cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
