import Foundation
@testable import IFCCore
import Testing

/// Issue 15 (hot path): `Timestamp.format` writes times by hand rather than through
/// Foundation's ISO 8601 style, and ids are written lower case directly; every answer, audit
/// entry and detail must read exactly as before.
@Suite("Encoding fast paths")
struct EncodingFastPathTests {
    /// A fixed sequence (SplitMix64), so a failure names a time that fails again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D1_049E_B133_111E
            return z ^ (z >> 31)
        }
    }

    /// Foundation writes the calendar (its whole second); the millisecond is the time's, rounded
    /// to the microsecond PostgreSQL keeps (TimestampPrecisionTests checks that against
    /// PostgreSQL's own `to_char`).
    static func expected(_ date: Date) -> String {
        let (seconds, millisecond) = Timestamp.secondAndMillisecond(date)
        let whole = Timestamp.foundationFormat(Date(timeIntervalSinceReferenceDate: Double(seconds)))
        #expect(whole.hasSuffix(".000Z"))
        return String(whole.dropLast(4)) + String(format: "%03dZ", millisecond)
    }

    static func check(_ date: Date) {
        #expect(Timestamp.format(date) == expected(date), "at \(date.timeIntervalSinceReferenceDate) seconds since 2001")
    }

    @Test("the hand-written format is Foundation's calendar, character for character, at random times of 1600...9999")
    func matchesFoundation() {
        var random = SplitMix(state: 15)
        for _ in 0..<20_000 {
            // Microsecond times as PostgreSQL returns them, anywhere in the fast range.
            let micros = Int64.random(in: Int64(Timestamp.fastFrom) * 1_000_000 ..< Int64(Timestamp.fastUntil) * 1_000_000, using: &random)
            Self.check(Date(timeIntervalSinceReferenceDate: Double(micros) / 1_000_000))
            // Any double in this century, and times a hair either side of a millisecond.
            Self.check(Date(timeIntervalSince1970: Double.random(in: 0 ..< 4_102_444_800, using: &random)))
            let millis = Double(Int64.random(in: -2_208_988_800_000 ..< 4_102_444_800_000, using: &random)) / 1000
            Self.check(Date(timeIntervalSince1970: millis))
            Self.check(Date(timeIntervalSince1970: millis.nextDown))
            Self.check(Date(timeIntervalSince1970: millis.nextUp))
        }
    }

    @Test("edges: before 1970, leap days, the ends of the fast range and beyond it")
    func edges() {
        let times: [TimeInterval] = [0, -0.0005, -1, -0.999_999, 951_782_400, 951_868_799.999, 1_709_164_800, 4_107_542_399.999_9,
                                     -2_208_988_800, -11_644_473_600]
        for time in times { Self.check(Date(timeIntervalSince1970: time)) }
        for reference in [Timestamp.fastFrom, Timestamp.fastFrom - 0.001, Timestamp.fastFrom.nextUp, Timestamp.fastFrom.nextDown,
                          Timestamp.fastUntil, Timestamp.fastUntil.nextDown, Timestamp.fastUntil - 0.000_5, Timestamp.fastUntil + 86_400,
                          -63_114_076_800, -13_197_600_000] {
            Self.check(Date(timeIntervalSinceReferenceDate: reference))
        }
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_764_164_707.123_9)) == "2025-11-26T13:45:07.123Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
        // A hair below a millisecond is that millisecond (the Date of PostgreSQL's .826000);
        // a microsecond below it is not.
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_764_164_707.826.nextDown)) == "2025-11-26T13:45:07.826Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_764_164_707.825_999)) == "2025-11-26T13:45:07.825Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.000_000_1)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.000_6)) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.format(.distantFuture) == Timestamp.foundationFormat(.distantFuture))
    }

    @Test("times read from request bodies are written back as sent")
    func parsedTimes() throws {
        for text in ["2025-11-26T13:45:07.123Z", "2026-02-28T23:59:59.999Z", "1999-12-31T23:59:59Z", "2026-06-01T12:00:00.5+02:00"] {
            Self.check(try #require(Timestamp.parse(text)))
        }
        for millisecond in 0..<1000 {
            let text = "2026-11-26T12:00:00.\(String(1000 + millisecond).dropFirst())Z"
            #expect(Timestamp.format(try #require(Timestamp.parse(text))) == text)
        }
    }

    @Test("a UUID's lower-case string is uuidString.lowercased(), and the API and the audit trail write it")
    func lowercasedUUID() throws {
        var random = SplitMix(state: 16)
        for _ in 0..<10_000 {
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &bytes) { for index in $0.indices { $0[index] = UInt8.random(in: 0...255, using: &random) } }
            let id = UUID(uuid: bytes)
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
        for id in [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                   UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))] {
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
        struct Record: Encodable { var id: UUID; var ids: [UUID]; var other: UUID? }
        let id = try #require(UUID(uuidString: "3F2B8C1E-6A4D-4B7E-9C21-0D5E8F7A1B2C"))
        let json = String(decoding: try JSONCoding.encoder.encode(Record(id: id, ids: [id], other: nil)), as: UTF8.self)
        #expect(json == #"{"id":"3f2b8c1e-6a4d-4b7e-9c21-0d5e8f7a1b2c","ids":["3f2b8c1e-6a4d-4b7e-9c21-0d5e8f7a1b2c"],"other":null}"#)
        #expect(AuditEntry.canonicalRecordID(id.uuidString) == "3f2b8c1e-6a4d-4b7e-9c21-0d5e8f7a1b2c")
        #expect(AuditEntry.canonicalRecordID("FA-2026-000123") == "FA-2026-000123")
    }
}
