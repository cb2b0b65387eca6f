import Foundation
import IFCCore

/// A user as the API shows it. The password hash never leaves the store.
public struct User: Sendable, Encodable, Equatable {
    public var id: UUID
    public var username: String
    public var displayName: String?
    public var roles: [Role]
    public var disabled: Bool
    public var lockedUntil: Date?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// The password was reset by an administrator: its user reaches no record until they change it.
    public var mustChangePassword: Bool
    /// The most sensitive level of case or trace the user may see.
    public var clearance: Clearance

    enum CodingKeys: String, CodingKey {
        case id, username, roles, disabled, version, clearance
        case displayName = "display_name", lockedUntil = "locked_until"
        case createdAt = "created_at", updatedAt = "updated_at", mustChangePassword = "must_change_password"
    }
}

/// The auditable summary of a user, for entry details (never the hash).
extension User {
    var auditDetail: String {
        let roles = roles.map { "\"\($0.rawValue)\"" }.joined(separator: ",")
        return "{\"username\":\"\(username)\",\"roles\":[\(roles)],\"clearance\":\"\(clearance.rawValue)\",\"disabled\":\(disabled),\"version\":\(version)}"
    }
}
