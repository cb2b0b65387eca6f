import Foundation
import IFCCore

/// What a module may ask about the users of this system without reading the accounts tables:
/// whether a username names someone who can act on a record (a custody receiver, say), and who an
/// account is (a case team's new member). The accounts module implements it; `makeModules` hands
/// it to the modules that need it.
public protocol UserDirectory: Sendable {
    /// True when `username` names an existing user who is not disabled (case-insensitive, as at login).
    func isActiveUser(_ username: String) async throws -> Bool
    /// The account `id`, or nil when there is none.
    func account(id: UUID) async throws -> DirectoryAccount?
    /// The account named `username` (case-insensitive, as at login), or nil when there is none.
    func account(username: String) async throws -> DirectoryAccount?
}

/// An account as other modules may know it: never its password, tokens or login history.
public struct DirectoryAccount: Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var roles: Set<Role>
    public var clearance: Clearance
    public var disabled: Bool

    public init(id: UUID, username: String, roles: Set<Role>, clearance: Clearance, disabled: Bool) {
        self.id = id
        self.username = username
        self.roles = roles
        self.clearance = clearance
        self.disabled = disabled
    }
}
