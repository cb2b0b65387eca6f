/// An RFC 9457 problem: every error a client sees is one of these, as `application/problem+json`.
public struct Problem: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    /// A stable identifier of the kind of problem (`urn:ifcd:problem:<slug>`).
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// For validation problems: each offending field and what is wrong with it.
    public var errors: [FieldError]?
    /// Seconds after which a retry may succeed (lockout, unavailability).
    public var retryAfter: Int?

    public struct FieldError: Sendable, Codable, Equatable {
        /// A JSON pointer-like path (`roles[1]`, `body`, `query.limit`).
        public var field: String
        public var detail: String
        public init(field: String, detail: String) {
            self.field = field
            self.detail = detail
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors
        case retryAfter = "retry_after"
    }

    public init(slug: String, title: String, status: Int, detail: String, errors: [FieldError]? = nil, retryAfter: Int? = nil) {
        self.type = "urn:ifcd:problem:\(slug)"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status) \(type): \(detail)" }

    /// RFC 9457: members that do not apply are left out (not written as null).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(title, forKey: .title)
        try c.encode(status, forKey: .status)
        try c.encode(detail, forKey: .detail)
        if let errors { try c.encode(errors, forKey: .errors) }
        if let retryAfter { try c.encode(retryAfter, forKey: .retryAfter) }
    }
}

/// Errors that know their own client-facing problem. One middleware turns them into responses.
public protocol ProblemConvertible: Error {
    var problem: Problem { get }
}

extension Problem: ProblemConvertible {
    public var problem: Problem { self }
}

extension Problem {
    public static func validation(_ errors: [FieldError], detail: String? = nil) -> Problem {
        let text = detail ?? errors.map { "\($0.field): \($0.detail)" }.joined(separator: "; ")
        return Problem(slug: "validation", title: "Invalid request", status: 422, detail: text, errors: errors)
    }

    public static func invalid(_ field: String, _ detail: String) -> Problem {
        validation([FieldError(field: field, detail: detail)])
    }

    public static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(slug: "bad-request", title: "Malformed request", status: 400, detail: detail,
                errors: field.map { [FieldError(field: $0, detail: detail)] })
    }

    public static func unauthorized(_ detail: String = "a valid bearer token is required") -> Problem {
        Problem(slug: "unauthorized", title: "Authentication required", status: 401, detail: detail)
    }

    public static func forbidden(_ detail: String = "your roles do not allow this") -> Problem {
        Problem(slug: "forbidden", title: "Forbidden", status: 403, detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(slug: "not-found", title: "Not found", status: 404, detail: detail)
    }

    public static func conflict(_ detail: String, slug: String = "conflict") -> Problem {
        Problem(slug: slug, title: "Conflict", status: 409, detail: detail)
    }

    public static func preconditionFailed(_ detail: String) -> Problem {
        Problem(slug: "stale-version", title: "Precondition failed", status: 412, detail: detail)
    }

    public static func preconditionRequired(_ detail: String = "this update needs an If-Match header with the record's ETag") -> Problem {
        Problem(slug: "if-match-required", title: "Precondition required", status: 428, detail: detail)
    }

    public static func unavailable(_ detail: String, retryAfter: Int = 1) -> Problem {
        Problem(slug: "unavailable", title: "Service unavailable", status: 503, detail: detail, retryAfter: retryAfter)
    }

    public static func `internal`(requestID: String?) -> Problem {
        Problem(slug: "internal", title: "Internal error", status: 500,
                detail: "the server failed to answer; quote request id \(requestID ?? "-") to the operators")
    }
}

extension Problem {
    /// One of an enumeration's raw values, or a 422 naming `field` and the values it takes.
    public static func parse<T: RawRepresentable & CaseIterable>(_ raw: String, as type: T.Type, field: String) throws(Problem) -> T
    where T.RawValue == String {
        guard let value = T(rawValue: raw) else {
            throw Problem.invalid(field, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

extension Problem {
    /// Optimistic concurrency: throws 412 unless the stored version is the one the client read.
    public static func checkVersion(expected: Int, current: Int, record: String) throws(Problem) {
        guard expected == current else {
            throw Problem.preconditionFailed("\(record) is at version \(current), not \(expected): read it again and reapply your change")
        }
    }
}
