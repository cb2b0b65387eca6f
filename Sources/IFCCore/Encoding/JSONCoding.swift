import Foundation

/// The one JSON policy of ifcd, for the API, stored versions and audit details alike: UTC times
/// with milliseconds, sorted keys, nulls written out (ExplicitNulls.swift).
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "is not an ISO 8601 UTC time")
            }
            return date
        }
        return decoder
    }()
}

/// UTC ISO 8601 with milliseconds on output; with or without fractions on input.
public enum Timestamp {
    /// `2026-11-26T13:45:07.123Z`: the time's microsecond, as PostgreSQL holds it, with the
    /// milliseconds truncated, as PostgreSQL's `to_char(…, 'MS')` writes them. A `Date` is a binary
    /// fraction: PostgreSQL's .826000 arrives as .825999999…, so the time is first rounded to
    /// its microsecond (truncating the `Date` itself wrote half of all times 1 ms low:
    /// TimestampPrecisionTests). Every record in an answer carries two of these, so they are
    /// written by hand into one 24-byte string (Foundation's formatter costs microseconds and a
    /// dozen allocations per call: `Deploy/bench/micro.sh`). Outside 1600...9999, where
    /// Foundation's calendar turns Julian or years outgrow four digits, Foundation writes the
    /// whole second and the milliseconds are put in after it.
    public static func format(_ date: Date) -> String {
        guard date.timeIntervalSinceReferenceDate.magnitude < 1e12 else { return foundationFormat(date) }
        let (wholeSeconds, milliseconds) = secondAndMillisecond(date)
        let reference = Double(wholeSeconds)
        guard reference >= fastFrom, reference < fastUntil else {
            let whole = foundationFormat(Date(timeIntervalSinceReferenceDate: reference))
            return String(whole.dropLast(4)) + String(1000 + milliseconds).dropFirst() + "Z"
        }
        let seconds = Int(wholeSeconds) + 978_307_200 // since 1970-01-01
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, _ digits: Int, at offset: Int) {
                var rest = value
                for index in (offset..<offset + digits).reversed() {
                    buffer[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                }
            }
            put(year, 4, at: 0); buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5); buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8); buffer[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, 2, at: 11); buffer[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, 2, at: 14); buffer[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, 2, at: 17); buffer[19] = UInt8(ascii: ".")
            put(milliseconds, 3, at: 20); buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// The whole second (since 2001-01-01) and the millisecond within it of a time rounded to its
    /// microsecond, the precision PostgreSQL keeps.
    static func secondAndMillisecond(_ date: Date) -> (seconds: Int64, millisecond: Int) {
        let micros = Int64((date.timeIntervalSinceReferenceDate * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        return (seconds, Int((micros - seconds * 1_000_000) / 1000))
    }

    /// Foundation's own writing, the calendar `format` matches (EncodingFastPathTests).
    static func foundationFormat(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// 1600-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds since 2001-01-01.
    static let fastFrom: TimeInterval = -12_654_403_200
    static let fastUntil: TimeInterval = 252_423_993_600

    /// Year, month and day of a day counted from 1970-01-01 in the proleptic Gregorian calendar
    /// (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text) { return date }
        // Any RFC 3339 date-time, as OpenAPI's `format: date-time` allows: an offset, `t`/`z`.
        let upper = text.uppercased()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: upper) { return date }
        }
        return nil
    }
}
