import Foundation

/// Keyset pagination: `limit` (1...500) and an opaque `cursor` that carries the sort key of the
/// last item returned. Cursors are base64url JSON arrays of strings; a forged cursor can only
/// move the window, never widen what the caller may see.
public struct PageRequest: Sendable, Equatable {
    public static let maximumLimit = 500
    public static let defaultLimit = 50

    public var limit: Int
    public var after: [String]?

    public init(limit: Int = PageRequest.defaultLimit, after: [String]? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Parses the raw query values, naming the field that is wrong.
    public static func parse(limit rawLimit: String?, cursor rawCursor: String?, keyCount: Int) throws(Problem) -> PageRequest {
        var limit = defaultLimit
        if let rawLimit {
            guard let value = Int(rawLimit), (1...maximumLimit).contains(value) else {
                throw Problem.invalid("limit", "must be an integer from 1 to \(maximumLimit)")
            }
            limit = value
        }
        var after: [String]?
        if let rawCursor, !rawCursor.isEmpty {
            guard let values = Cursor.decode(rawCursor), values.count == keyCount else {
                throw Problem.invalid("cursor", "is not a cursor this list issued")
            }
            after = values
        }
        return PageRequest(limit: limit, after: after)
    }
}

public enum Cursor {
    public static func encode(_ values: [String]) -> String {
        let data = (try? JSONEncoder().encode(values)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [String]? {
        guard text.utf8.count <= 2048 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode([String].self, from: data)
    }
}

/// One page of a list, as every list route answers it.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public var items: [Item]
    public var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    /// Builds the page from `limit + 1` fetched rows: the extra row only says another page exists.
    public init(fetched: [Item], limit: Int, key: (Item) -> [String]) {
        if fetched.count > limit {
            self.items = Array(fetched.prefix(limit))
            self.nextCursor = items.last.map { Cursor.encode(key($0)) }
        } else {
            self.items = fetched
            self.nextCursor = nil
        }
    }
}
