import Foundation
import IFCCore

/// Collects the field errors of one request, so that one answer names every wrong field:
/// lengths as PostgreSQL counts them (code points), blank required values, dates after today.
struct FieldRules {
    private(set) var list: [Problem.FieldError] = []

    mutating func add(_ field: String, _ detail: String) {
        list.append(.init(field: field, detail: detail))
    }

    /// A text given (nil is "not given") must not be blank and must fit `max`.
    mutating func text(_ value: String?, _ field: String, max: Int) {
        guard let value else { return }
        if value.isBlank {
            add(field, "must not be empty")
        } else if value.unicodeScalars.count > max {
            add(field, "must be at most \(max) characters")
        }
    }

    mutating func notFuture(_ date: CalendarDate?, _ field: String, today: CalendarDate) {
        if let date, date > today { add(field, "is in the future") }
    }

    func throwIfAny() throws(Problem) {
        if !list.isEmpty { throw Problem.validation(list) }
    }
}
