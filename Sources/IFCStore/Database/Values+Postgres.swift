import IFCCore
import PostgresNIO

extension CalendarDate {
    /// A `date` column selected as `::text` (PostgreSQL's ISO form, `2026-03-14`).
    public static func decode(_ cell: PostgresCell) throws -> CalendarDate {
        let text = try cell.decode(String.self)
        guard let date = CalendarDate(text) else { throw Problem.internal(requestID: nil) }
        return date
    }

    public static func decodeIfPresent(_ cell: PostgresCell) throws -> CalendarDate? {
        guard let text = try cell.decode(String?.self) else { return nil }
        guard let date = CalendarDate(text) else { throw Problem.internal(requestID: nil) }
        return date
    }
}

extension Country {
    /// A `char(2)` country column; a code the database holds but the kit does not know is a
    /// store fault, not a client's.
    public static func decode(_ cell: PostgresCell) throws -> Country {
        guard let country = Country(try cell.decode(String.self)) else { throw Problem.internal(requestID: nil) }
        return country
    }
}
