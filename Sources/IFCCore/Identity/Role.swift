/// The roles a user may hold. A user may hold several; each route names the roles it admits.
public enum Role: String, CaseIterable, Codable, Sendable, Hashable, Comparable {
    /// Users and tokens only: no record data.
    case admin
    /// Registry writes.
    case clerk
    /// Reads everything but the audit trail; links records.
    case analyst
    /// Cases, exhibits, custody, examinations.
    case examiner
    /// International tracing.
    case liaison
    /// Reads and verifies the audit trail; changes nothing.
    case auditor
    /// Gives the legal review that lets personal data leave the country (a tracing request naming
    /// a possessor, an answer naming holders); reads the traces they review.
    case legal
    /// Records which examiner is authorised for which examinations, from when to when (ISO/IEC
    /// 17025 §6.2); reads those records.
    case labManager = "lab_manager"
    /// Keeps the items held at a location (vault, shelf) or outside the lab: the only role that
    /// sends, reseals or disposes of them, and that takes in an item sent to a location.
    case evidenceOfficer = "evidence_officer"
    /// A flag, not an access: lifts the ceiling of records read per hour (`audit.maxReadsPerHour`)
    /// for an analyst who needs more. Reaches no route by itself; like any role, not with admin.
    case bulkReader = "bulk_reader"

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a list of role names, reporting the first unknown one.
    public static func parse(_ names: [String]) -> Result<Set<Role>, UnknownRole> {
        var roles = Set<Role>()
        for name in names {
            guard let role = Role(rawValue: name) else { return .failure(UnknownRole(name: name)) }
            roles.insert(role)
        }
        return .success(roles)
    }

    public struct UnknownRole: Error, Sendable { public let name: String }
}

extension Role {
    /// Separation of duties: an administrator manages accounts and holds no other role — not
    /// auditor (who checks the administrators), not a record role (with which an administrator
    /// could grant themselves any record). Nil when `roles` may be held together; the table
    /// holds the same rule (`users_admin_alone`).
    public static func separationProblem(_ roles: Set<Role>) -> String? {
        guard roles.contains(.admin), roles.count > 1 else { return nil }
        let others = roles.subtracting([.admin]).sorted().map(\.rawValue).joined(separator: ", ")
        return "admin is held alone: not with \(others) (separation of duties)"
    }
}
