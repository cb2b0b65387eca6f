import Foundation

/// Nested objects of a request body refuse unknown keys as the top level does (`StrictBody`),
/// so that a misspelt field inside `firearms[0]` is a 422 naming it, not a silent absence.
/// (A copy of the forensics module's: it belongs in the kit next to `StrictBody`.)
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Decoder {
    func refuseUnknownKeys<Key: CodingKey & CaseIterable>(_ keys: Key.Type) throws {
        let known = Set(Key.allCases.map(\.stringValue))
        let given = try container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).sorted()
        if let unknown = given.first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [AnyKey(unknown)], debugDescription: "is not a known field"))
        }
    }
}
