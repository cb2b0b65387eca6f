import Foundation
import IFCCore
import RegistryAPI

/// What `POST /v1/firearms/{id}/events` answers: the event and the firearm as it became.
struct EventResult: Encodable {
    var event: FirearmEvent
    var firearm: Firearm
}
