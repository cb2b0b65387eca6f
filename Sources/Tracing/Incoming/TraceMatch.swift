import Foundation
import IFCCore

/// A registry candidate for an incoming request: the firearm (or component), how its serial
/// matched, its score (0–100) and why.
public struct TraceMatch: Sendable, Codable, Equatable {
    public var id: UUID
    public var traceID: UUID
    public var firearmID: UUID?
    public var componentID: UUID?
    public var reference: String
    /// `firearm` for the firearm's own serial, else the component's part.
    public var part: String
    public var serialNormalized: String?
    /// `exact`, `confusable`, `pattern` or `fuzzy`.
    public var match: String
    public var distance: Int?
    public var score: Int
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case id, reference, part, match, distance, score, reasons
        case traceID = "trace_id", firearmID = "firearm_id", componentID = "component_id", serialNormalized = "serial_normalized"
    }
}
