import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

// Entry points for the in-process benchmarks (`Benchmarks/`, `Deploy/bench/micro.sh`), behind an
// SPI so that no module of the daemon uses them: the firearm read's answer built without a
// database, and the create body read exactly as `POST /v1/firearms` reads it.
extension Registry {
    /// The value `GET /v1/firearms/{id}` encodes, as `firearmDetail` assembles it.
    @_spi(Benchmarks) public static func firearmAnswer(_ firearm: Firearm, licences: [Licence], components: [Component],
                                                      flags: [ReviewFlag] = []) -> Flagged<FirearmDetail> {
        Flagged(record: FirearmDetail(firearm: firearm, licences: licences, components: components), reviewFlags: flags)
    }

    /// The create body through `JSONBody` (UTF-8, syntax, unknown keys, `TextRule`, types) and
    /// the firearm's own rules, as the route reads it before its transaction.
    @_spi(Benchmarks) public static func decodeFirearmCreate(_ data: Data) throws -> (FirearmDescription, holderID: UUID?) {
        let body = try JSONBody.decode(FirearmBody.self, from: data)
        return (try body.description(), body.holderID)
    }
}
