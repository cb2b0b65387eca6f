import Foundation
import Hummingbird
import IFCCore

/// The query string of a list or search, read once at the edge into values: each accessor
/// checks its parameter and names it in the 422 when it is wrong, and remembers what was asked
/// (`terms`) so that the read's audit entry can say what was looked up.
public struct QueryParameters: Sendable {
    private let raw: [String: String]
    /// Every filter or search term given, as given (paging parameters excluded).
    public private(set) var terms: [String: String] = [:]

    public init(_ request: Request) {
        var raw: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where raw[String(key)] == nil {
            raw[String(key)] = String(value)
        }
        self.raw = raw
    }

    public init(_ values: [String: String]) {
        self.raw = values
    }

    private mutating func take(_ key: String) -> String? {
        guard let value = raw[key] else { return nil }
        terms[key] = value
        return value
    }

    /// A non-empty text of at most `max` characters (code points, as JSON Schema and PostgreSQL
    /// count), holding no character the kit's `TextRule` refuses.
    public mutating func text(_ key: String, max: Int = 100) throws(Problem) -> String? {
        guard let value = take(key) else { return nil }
        guard !value.isEmpty, value.unicodeScalars.count <= max else { throw Problem.invalid(key, "must be 1 to \(max) characters") }
        if let refusal = TextRule.refusal(value, field: key) { throw Problem.invalid(key, refusal) }
        return value
    }

    /// An RFC 3339 date-time.
    public mutating func time(_ key: String) throws(Problem) -> Date? {
        guard let value = take(key) else { return nil }
        guard let date = Timestamp.parse(value) else { throw Problem.invalid(key, "must be a date-time such as 2026-03-14T09:30:00Z") }
        return date
    }

    public mutating func requiredText(_ key: String, max: Int = 100) throws(Problem) -> String {
        guard let value = try text(key, max: max) else { throw Problem.invalid(key, "is required") }
        return value
    }

    public mutating func uuid(_ key: String) throws(Problem) -> UUID? {
        guard let value = take(key) else { return nil }
        guard let id = UUID(uuidString: value) else { throw Problem.invalid(key, "must be a UUID") }
        return id
    }

    /// One of an enumeration's raw values.
    public mutating func value<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type) throws(Problem) -> T?
    where T.RawValue == String {
        guard let value = take(key) else { return nil }
        guard let parsed = T(rawValue: value) else {
            throw Problem.invalid(key, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    public mutating func bool(_ key: String) throws(Problem) -> Bool? {
        guard let value = take(key) else { return nil }
        guard let parsed = Bool(value) else { throw Problem.invalid(key, "must be true or false") }
        return parsed
    }

    public mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(Problem) -> Int? {
        guard let value = take(key) else { return nil }
        guard let parsed = Int(value), range.contains(parsed) else {
            throw Problem.invalid(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return parsed
    }

    public mutating func country(_ key: String) throws(Problem) -> Country? {
        guard let value = take(key) else { return nil }
        guard let country = Country(value) else { throw Problem.invalid(key, Country.rule) }
        return country
    }

    public mutating func date(_ key: String) throws(Problem) -> CalendarDate? {
        guard let value = take(key) else { return nil }
        guard let date = CalendarDate(value) else { throw Problem.invalid(key, "must be a date such as 2026-03-14") }
        return date
    }

    /// `limit` and `cursor` (a cursor of `keyCount` sort keys).
    public func page(keyCount: Int) throws(Problem) -> PageRequest {
        try PageRequest.parse(limit: raw["limit"], cursor: raw["cursor"], keyCount: keyCount)
    }
}
