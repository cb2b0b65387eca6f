import Foundation
import IFCCore
import PostgresNIO

/// A series of human reference numbers, as every module issues them: `FA-0000123` (national)
/// or `FC-2026-000123` (a sequence per year). Numbers come from `ifcd_reference` (Schema 0005):
/// never reused, never issued twice under concurrency; a rolled-back request leaves a gap.
public struct ReferenceSeries: Sendable, Hashable {
    public enum Form: Sendable, Hashable {
        /// `PREFIX-NNNNNNN`
        case national
        /// `PREFIX-YYYY-NNNNNN`, numbered afresh each (UTC) year.
        case yearly
    }

    public let prefix: String
    public let form: Form
    /// Zero-padded to this many digits; a number that outgrows them is written in full.
    public let digits: Int

    public static func national(_ prefix: String, digits: Int = 7) -> ReferenceSeries {
        ReferenceSeries(prefix: prefix, form: .national, digits: digits)
    }

    public static func yearly(_ prefix: String, digits: Int = 6) -> ReferenceSeries {
        ReferenceSeries(prefix: prefix, form: .yearly, digits: digits)
    }

    init(prefix: String, form: Form, digits: Int) {
        precondition(prefix.utf8.count >= 2 && prefix.utf8.count <= 4 && prefix.allSatisfy { $0.isASCII && $0.isUppercase },
                     "a reference prefix is 2 to 4 capital letters")
        precondition((4...12).contains(digits), "a reference has 4 to 12 digits")
        self.prefix = prefix
        self.form = form
        self.digits = digits
    }

    /// The regular expression a reference of this series matches (for CHECKs and the OpenAPI document).
    public var pattern: String {
        switch form {
        case .national: "^\(prefix)-[0-9]{\(digits),}$"
        case .yearly: "^\(prefix)-[0-9]{4}-[0-9]{\(digits),}$"
        }
    }

    /// True when `text` has this series' shape.
    public func matches(_ text: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    /// The year a reference issued at `now` carries (nil for a national series).
    public func year(at now: Date) -> Int? {
        form == .yearly ? CalendarDate(now).year : nil
    }

    /// Issues the next number of the series, on the caller's connection (usually inside the
    /// transaction that stores the record). `now` is the app's clock, which chooses the year.
    public func next(at now: Date, on connection: PostgresConnection) async throws -> String {
        let rows = try await connection.query("SELECT ifcd_reference(\(prefix), \(digits)::int, \(year(at: now))::int)",
                                              logger: AuditWriter.quietLogger)
        for try await reference in rows.decode(String.self) { return reference }
        throw Problem.internal(requestID: nil)
    }

    /// A SQL expression issuing one number per row, for bulk inserts (`INSERT … SELECT`). The
    /// values come from code (the prefix is checked above), never from input.
    public func sqlExpression(at now: Date) -> String {
        "ifcd_reference('\(prefix)', \(digits), \(year(at: now).map(String.init) ?? "NULL"))"
    }

    /// A SQL expression issuing a block of numbers in one call (a `text[]`, in issuing order), for
    /// bulk inserts numbering many rows: `count` is a SQL expression written by code, never input.
    public func sqlBlockExpression(at now: Date, count: String) -> String {
        "ifcd_references('\(prefix)', \(digits), \(year(at: now).map(String.init) ?? "NULL"), \(count))"
    }
}
