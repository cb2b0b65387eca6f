import Foundation

/// How sensitive a record a user may see: `standard` < `restricted` < `confidential` < `secret`.
/// A user's clearance is set by an administrator; a case or trace carries a level of the same
/// scale (its confidentiality), and a user sees it only when cleared to at least that level
/// (and, from `confidential` up, only as a member of its team).
public enum Clearance: String, Sendable, Codable, CaseIterable, Comparable, APIEnum {
    case standard, restricted, confidential, secret

    public static func < (a: Clearance, b: Clearance) -> Bool { a.rank < b.rank }

    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    /// The levels a holder of this clearance may see (this one and those below).
    public var levels: [String] { Self.allCases.filter { $0 <= self }.map(\.rawValue) }

    /// From `confidential` up a record is seen only by the members of its team.
    public var needsMembership: Bool { self >= .confidential }
}
