import Foundation

/// Collects the field errors of one request, so that one answer names every wrong field:
/// lengths as PostgreSQL counts them (code points), blank required values, dates after today.
/// Every module's rules (`Rules/`) use it; the kit's one copy.
public struct FieldRules: Sendable {
    public var list: [Problem.FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ detail: String) {
        list.append(.init(field: field, detail: detail))
    }

    /// A text given (nil is "not given") must not be blank and must fit `max`.
    public mutating func text(_ value: String?, _ field: String, max: Int) {
        guard let value else { return }
        if value.isBlank {
            add(field, "must not be empty")
        } else if value.unicodeScalars.count > max {
            add(field, "must be at most \(max) characters")
        }
    }

    /// A text given must fit `max`; blank is refused only when `required` (the registry's rule:
    /// an optional free-text field may be sent blank and is kept as sent).
    public mutating func check(_ value: String?, _ field: String, max: Int, required: Bool = false) {
        guard let value else { return }
        if required && value.isBlank {
            add(field, "must not be empty")
        } else if value.unicodeScalars.count > max {
            add(field, "must be at most \(max) characters")
        }
    }

    /// A value the request must give.
    public mutating func required(_ value: (some Any)?, _ field: String) {
        if value == nil { add(field, "is required") }
    }

    public mutating func notFuture(_ date: CalendarDate?, _ field: String, today: CalendarDate) {
        if let date, date > today { add(field, "is in the future") }
    }

    public func throwIfAny() throws(Problem) {
        if !list.isEmpty { throw Problem.validation(list) }
    }
}
