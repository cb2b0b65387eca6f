import Foundation
import IFCCore
import PostgresNIO
import Testing

/// A time is evidence: what PostgreSQL holds, what the API writes and what a client sent must be
/// the same millisecond. PostgreSQL keeps microseconds; a `Date` is a binary fraction of a second,
/// so a time read back as `Date` sits a hair below its microsecond about half the time, and
/// PostgresNIO's binding truncates a sent time the same way.
@Suite("Timestamp precision")
struct TimestampPrecisionTests {
    @Test("a time read from PostgreSQL is written with the millisecond PostgreSQL's to_char writes")
    func readBack() async throws {
        try await withTestDatabase(empty: true) { database in
            let rows = try await database.asApp { connection in
                try await connection.query("""
                    SELECT t, to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                    FROM (SELECT timestamptz '2026-11-26 12:00:00+00' + make_interval(secs => n * 0.001 + (n % 7) * 0.0001) AS t
                          FROM generate_series(0, 1999) AS n) AS times
                    """, logger: TestCluster.logger).collect()
            }
            #expect(rows.count == 2000)
            var wrong: [String] = []
            for row in rows {
                let (time, text) = try row.decode((Date, String).self)
                if Timestamp.format(time) != text { wrong.append("\(text) written as \(Timestamp.format(time))") }
            }
            #expect(wrong.count == 0, "of 2000: \(wrong.prefix(3))")
        }
    }

    @Test("a time a client sends is stored as that millisecond and answered as sent")
    func roundTrip() async throws {
        try await withTestDatabase(empty: true) { database in
            var wrong: [String] = []
            for n in 0..<500 {
                let text = "2026-11-26T12:00:00.\(String(format: "%03d", n * 2))Z"
                let sent = try #require(Timestamp.parse(text))
                let (stored, back) = try await database.asApp { connection in
                    let row = try await connection.query("""
                        SELECT to_char(\(sent)::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), \(sent)::timestamptz
                        """, logger: TestCluster.logger) .collect().first
                    return try #require(row).decode((String, Date).self)
                }
                if !stored.hasSuffix("000Z") || Timestamp.format(back) != text { wrong.append("\(text) stored as \(stored), answered \(Timestamp.format(back))") }
            }
            #expect(wrong.count == 0, "of 500: \(wrong.prefix(3))")
        }
    }

    @Test("a time read from PostgreSQL and bound again is stored as the same microsecond")
    func rebind() async throws {
        try await withTestDatabase(empty: true) { database in
            let wrong = try await database.asApp { connection in
                let rows = try await connection.query("""
                    SELECT n, timestamptz '2026-11-26 12:00:00+00' + make_interval(secs => n * 0.001001)
                    FROM generate_series(0, 499) AS n
                    """, logger: TestCluster.logger).collect()
                var wrong = 0
                for row in rows {
                    let (n, time) = try row.decode((Int, Date).self)
                    let same = try await connection.query("""
                        SELECT \(time)::timestamptz = timestamptz '2026-11-26 12:00:00+00' + make_interval(secs => \(n) * 0.001001)
                        """, logger: TestCluster.logger).collect().first?.decode(Bool.self)
                    if same != true { wrong += 1 }
                }
                return wrong
            }
            #expect(wrong == 0, "of 500 times read and bound again")
        }
    }
}
