import Foundation
import IFCCore
import RegistryAPI

/// A component with its lifecycle, as `GET /v1/components/{id}` answers.
struct ComponentDetail: Encodable {
    var component: Component
    var events: [ComponentEvent]

    enum CodingKeys: String, CodingKey { case events }

    func encode(to encoder: any Encoder) throws {
        try component.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(events, forKey: .events)
    }
}
