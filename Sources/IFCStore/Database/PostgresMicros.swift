import PostgresNIO

/// A `timestamptz` as PostgreSQL holds it, in microseconds since 1970, read straight from its
/// binary form: exact, as a `Date` is not, and without the numeric arithmetic of
/// `extract(epoch FROM …) * 1000000` for every row on the server (a third of the server's time
/// for a plain scan of the trail). `infinity` keeps PostgreSQL's sentinel, which no seal holds.
struct PostgresMicros: PostgresDecodable {
    /// 1970-01-01 to 2000-01-01, PostgreSQL's epoch, in microseconds.
    static let epochOffset: Int64 = 946_684_800_000_000
    var value: Int64

    init<JSONDecoder: PostgresJSONDecoder>(from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
                                            context: PostgresDecodingContext<JSONDecoder>) throws {
        guard type == .timestamptz, format == .binary, buffer.readableBytes == 8, let stored = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        let (shifted, overflow) = stored.addingReportingOverflow(Self.epochOffset)
        value = overflow || stored == .max || stored == .min ? stored : shifted
    }
}
