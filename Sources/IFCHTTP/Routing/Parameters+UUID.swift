import Foundation
import Hummingbird
import IFCCore

extension Parameters {
    /// A path parameter that must be a UUID: 422 naming the parameter otherwise.
    public func requireUUID(_ name: String) throws(Problem) -> UUID {
        guard let raw = self.get(name), let id = UUID(uuidString: raw) else {
            throw Problem.invalid(name, "must be a UUID such as 6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab")
        }
        return id
    }
}
