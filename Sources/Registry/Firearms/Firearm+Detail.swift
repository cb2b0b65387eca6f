import Foundation
import IFCCore
import RegistryAPI

/// A firearm with the licences that cover it, as `GET /v1/firearms/{id}` answers: the firearm's
/// fields and a `licences` list, in one object.
public struct FirearmDetail: Sendable, Encodable {
    public var firearm: Firearm
    public var licences: [Licence]
    /// Its essential components with their own markings.
    public var components: [Component]

    enum CodingKeys: String, CodingKey { case licences, components }

    public func encode(to encoder: any Encoder) throws {
        try firearm.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(licences, forKey: .licences)
        try c.encode(components, forKey: .components)
    }
}
