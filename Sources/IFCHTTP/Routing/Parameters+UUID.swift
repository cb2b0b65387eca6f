import Foundation
import Hummingbird
import IFCCore

extension Parameters {
    /// A path parameter that must be a UUID: 404 otherwise (no record can have another id).
    public func requireUUID(_ name: String) throws(Problem) -> UUID {
        guard let raw = self.get(name), let id = UUID(uuidString: raw) else {
            throw Problem.notFound("no record has the id '\(self.get(name)?.prefix(64) ?? "")'")
        }
        return id
    }
}
