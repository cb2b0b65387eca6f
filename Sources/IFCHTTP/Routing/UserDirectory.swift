/// What a module may ask about the users of this system without reading the accounts tables:
/// whether a username names someone who can act on a record (a custody receiver, say). The
/// accounts module implements it; `makeModules` hands it to the modules that need it.
public protocol UserDirectory: Sendable {
    /// True when `username` names an existing user who is not disabled (case-insensitive, as at login).
    func isActiveUser(_ username: String) async throws -> Bool
}
