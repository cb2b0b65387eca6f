import Foundation

/// The authenticated caller of a request, or the operator of a CLI command.
public struct Principal: Sendable, Hashable {
    public let userID: UUID?
    public let username: String
    public let roles: Set<Role>
    /// The token the request presented, so that it can be revoked.
    public let tokenID: UUID?
    /// The most sensitive level of case or trace the user may see (with membership from
    /// `confidential` up).
    public let clearance: Clearance

    public init(userID: UUID?, username: String, roles: Set<Role>, tokenID: UUID? = nil, clearance: Clearance = .standard) {
        self.userID = userID
        self.username = username
        self.roles = roles
        self.tokenID = tokenID
        self.clearance = clearance
    }

    /// The operator of a local CLI command: trusted by holding the data folder or the owner URL.
    public static func cli(osUser: String) -> Principal {
        Principal(userID: nil, username: "cli:\(osUser)", roles: [])
    }

    public func holdsAny(of roles: Set<Role>) -> Bool { !self.roles.isDisjoint(with: roles) }

    /// Role names as stored in audit entries, sorted so that equal sets hash equally.
    public var roleNames: [String] { roles.sorted().map(\.rawValue) }
}
