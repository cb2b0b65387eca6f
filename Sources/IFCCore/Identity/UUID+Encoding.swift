import Foundation

/// UUIDs leave the API in their canonical lower-case form (RFC 9562), the form PostgreSQL and
/// `Location` headers use, rather than Foundation's upper-case `uuidString`. Synthesized
/// `Encodable` conformances in modules that import IFCCore pick these overloads (nil is written
/// as null: see ExplicitNulls.swift).
extension KeyedEncodingContainer {
    public mutating func encode(_ value: UUID, forKey key: Key) throws {
        try encode(value.uuidString.lowercased(), forKey: key)
    }

    public mutating func encodeIfPresent(_ value: UUID?, forKey key: Key) throws {
        if let value { try encode(value.uuidString.lowercased(), forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedEncodingContainer {
    /// Lists of ids too (`firearm_ids`): lower case, like single ids.
    public mutating func encode(_ value: [UUID], forKey key: Key) throws {
        try encode(value.map { $0.uuidString.lowercased() }, forKey: key)
    }

    public mutating func encodeIfPresent(_ value: [UUID]?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
