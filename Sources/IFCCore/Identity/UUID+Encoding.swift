import Foundation

/// UUIDs leave the API in their canonical lower-case form (RFC 9562), the form PostgreSQL and
/// `Location` headers use, rather than Foundation's upper-case `uuidString`. Synthesized
/// `Encodable` conformances in modules that import IFCCore pick these overloads (nil is written
/// as null: see ExplicitNulls.swift).
extension KeyedEncodingContainer {
    public mutating func encode(_ value: UUID, forKey key: Key) throws {
        try encode(value.lowercasedString, forKey: key)
    }

    public mutating func encodeIfPresent(_ value: UUID?, forKey key: Key) throws {
        if let value { try encode(value.lowercasedString, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedEncodingContainer {
    /// Lists of ids too (`firearm_ids`): lower case, like single ids.
    public mutating func encode(_ value: [UUID], forKey key: Key) throws {
        try encode(value.map(\.lowercasedString), forKey: key)
    }

    public mutating func encodeIfPresent(_ value: [UUID]?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension UUID {
    /// The canonical lower-case form, `uuidString.lowercased()` written directly: one 36-byte
    /// string rather than two, and no Unicode case mapping (every answer writes several ids).
    public var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                let digits: StaticString = "0123456789abcdef"
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = digits.utf8Start[Int(byte >> 4)]
                    buffer[index + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    index += 2
                }
                return index
            }
        }
    }
}
