import Foundation

/// Nested objects of a request body refuse unknown keys as the top level does (`StrictBody`),
/// so that a misspelt field inside `firearms[0]` is a 422 naming it, not a silent absence (the
/// HTTP kit turns the decoding error into a problem naming the field).
/// Modules call `decoder.refuseUnknownKeys(CodingKeys.self)` first in a nested type's
/// `init(from:)`, and make their enumerations `APIEnum`s.
public struct AnyKey: CodingKey {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

extension Decoder {
    public func refuseUnknownKeys<Key: CodingKey & CaseIterable>(_ keys: Key.Type) throws {
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
