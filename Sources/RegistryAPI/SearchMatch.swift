import Foundation
import IFCCore

/// Which record and which part a serial search matched, and how: `exact`, `confusable` (equal
/// once O/0, I/1/L, S/5, B/8, Z/2 are folded), `pattern` (wildcards) or `fuzzy` (with the edit
/// distance, one or two).
public struct SearchMatch: Sendable, Encodable {
    public var firearmID: UUID?
    public var componentID: UUID?
    /// The matched record's reference (the firearm's, or the component's).
    public var reference: String
    /// `firearm` for the firearm's own serial, else the component's part.
    public var part: String
    public var serialNormalized: String?
    public var match: String
    public var distance: Int?

    public init(firearmID: UUID? = nil, componentID: UUID? = nil, reference: String, part: String,
                serialNormalized: String? = nil, match: String, distance: Int? = nil) {
        self.firearmID = firearmID
        self.componentID = componentID
        self.reference = reference
        self.part = part
        self.serialNormalized = serialNormalized
        self.match = match
        self.distance = distance
    }

    enum CodingKeys: String, CodingKey {
        case part, match, distance, reference
        case firearmID = "firearm_id", componentID = "component_id", serialNormalized = "serial_normalized"
    }
}
