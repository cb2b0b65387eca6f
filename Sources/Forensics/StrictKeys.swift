import Foundation

/// Nested objects of a request body refuse unknown keys as the top level does (`StrictBody`),
/// so that a misspelt field inside `firearms[0]` is a 422 naming it, not a silent absence.
/// (Belongs in the kit next to `StrictBody`; kept here while this module is the only user.)
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

/// An enumeration read from a body: a value it does not know is refused naming the values it takes.
public protocol APIEnum: RawRepresentable, CaseIterable, Codable where RawValue == String {}

extension APIEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: container,
                                                   debugDescription: "must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = value
    }

    public static var values: [String] { allCases.map(\.rawValue) }
}
