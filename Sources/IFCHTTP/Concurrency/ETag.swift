import HTTPTypes
import Hummingbird
import IFCCore

/// Optimistic concurrency: every mutable record has a `version`; responses carry it as an ETag;
/// updates name the version they read in `If-Match`. Missing → 428, stale → 412.
public enum ETag {
    public static func make(_ version: Int) -> String { "\"\(version)\"" }

    /// The version the client read, from `If-Match: "3"` (a weak `W/"3"` is accepted too).
    public static func requiredVersion(_ request: Request) throws(Problem) -> Int {
        guard let raw = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            throw Problem.preconditionRequired()
        }
        var text = Substring(raw)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        let digits = text.dropFirst().dropLast()
        guard text.count >= 3, text.first == "\"", text.last == "\"", digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let version = Int(digits), version > 0 else {
            throw Problem.invalid("If-Match", "must be the ETag of the record, like \"3\"")
        }
        return version
    }

    /// The version in `If-Match` where a route takes it but does not need it: nil when the header
    /// is absent; an empty or malformed value is 422, like any other bad field.
    public static func optionalVersion(_ request: Request) throws(Problem) -> Int? {
        guard let raw = request.headers[.ifMatch] else { return nil }
        guard !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem.invalid("If-Match", "must be the ETag of the record, like \"3\"")
        }
        return try requiredVersion(request)
    }

    /// Throws 412 unless the stored version is the one the client read.
    public static func check(expected: Int, current: Int, record: String) throws(Problem) {
        try Problem.checkVersion(expected: expected, current: current, record: record)
    }
}
