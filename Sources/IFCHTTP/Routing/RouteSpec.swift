import HTTPTypes
import Hummingbird
import IFCCore

/// Everything the API says about one route: what it is, who may call it, what it takes and
/// answers. The registry adds the route to the router and to the OpenAPI document from this one
/// value, so the two cannot drift apart (a test compares them as well).
public struct RouteSpec: Sendable {
    public enum Access: Sendable, Equatable {
        /// No token needed: health, readiness, metrics, the API document, login.
        case open
        /// Any valid token, whatever its roles.
        case authenticated
        /// A valid token whose user holds one of these roles.
        case roles(Set<Role>)
    }

    public struct Parameter: Sendable {
        public enum Location: String, Sendable { case path, query, header }
        public var name: String
        public var location: Location
        public var required: Bool
        public var schema: JSONValue
        public var description: String

        public init(_ name: String, in location: Location, required: Bool = false, schema: JSONValue = Schema.string, _ description: String) {
            self.name = name
            self.location = location
            self.required = location == .path ? true : required
            self.schema = schema
            self.description = description
        }

        public static let limit = Parameter("limit", in: .query, schema: ["type": "integer", "minimum": 1, "maximum": 500], "page size (default 50)")
        public static let cursor = Parameter("cursor", in: .query, "the next_cursor of the previous page")
        public static func id(_ name: String = "id", _ description: String = "the record's UUID") -> Parameter {
            Parameter(name, in: .path, schema: Schema.uuid, description)
        }
    }

    public struct Reply: Sendable {
        public var description: String
        public var schema: JSONValue?
        public var contentType: String
        public var headers: [String]
        /// Other media types the same reply may be served as (chosen by `Accept`), with their schema.
        public var alternatives: [String: JSONValue]

        public init(_ description: String, schema: JSONValue? = nil, contentType: String = "application/json", headers: [String] = [],
                    alternatives: [String: JSONValue] = [:]) {
            self.description = description
            self.schema = schema
            self.contentType = contentType
            self.headers = headers
            self.alternatives = alternatives
        }

        /// A refusal answered as `application/problem+json`.
        public static func problem(_ description: String) -> Reply {
            Reply(description, schema: Schema.ref("Problem"), contentType: "application/problem+json")
        }
    }

    public var method: HTTPRequest.Method
    /// OpenAPI form, `/v1/users/{id}`.
    public var path: String
    public var operationID: String
    public var summary: String
    public var tag: String
    public var access: Access
    public var parameters: [Parameter]
    public var requestBody: JSONValue?
    public var requestContentType: String
    public var replies: [Int: Reply]
    /// POST routes that honour `Idempotency-Key`.
    public var idempotent: Bool
    /// Updates that need `If-Match` (428 without, 412 when stale).
    public var conditional: Bool

    public init(_ method: HTTPRequest.Method, _ path: String, id operationID: String, summary: String, tag: String,
                access: Access, parameters: [Parameter] = [], body: JSONValue? = nil,
                bodyContentType: String = "application/json", replies: [Int: Reply],
                idempotent: Bool? = nil, conditional: Bool = false) {
        self.method = method
        self.path = path
        self.operationID = operationID
        self.summary = summary
        self.tag = tag
        self.access = access
        self.parameters = parameters
        self.requestBody = body
        self.requestContentType = bodyContentType
        self.replies = replies
        self.idempotent = idempotent ?? (method == .post && access != .open)
        self.conditional = conditional
    }

    /// The query parameters the route reads: every other one is refused.
    public var queryParameterNames: Set<String> {
        Set(parameters.filter { $0.location == .query }.map(\.name))
    }

    /// The router's form of the path: `{id}` becomes `:id`.
    public var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}

extension RouteSpec {
    /// `GET …/{id}/history`: every version of a record, oldest first.
    public static func history(_ path: String, id: String, record: String, tag: String, access: Access,
                               versionSchema: String) -> RouteSpec {
        RouteSpec(.get, path, id: id, summary: "Every version of a \(record), with who and when", tag: tag, access: access,
                  parameters: [.id()],
                  replies: [200: .init("the versions, oldest first", schema: Schema.array(Schema.ref(versionSchema))),
                            404: .problem("no such \(record)")])
    }

    /// `PATCH …/{id}` with `If-Match`: a change that makes a new version of the record.
    public static func update(_ path: String, id: String, summary: String, record: String, tag: String, access: Access,
                              body: String, result: String, refusals: [Int: Reply] = [:]) -> RouteSpec {
        RouteSpec(.patch, path, id: id, summary: summary, tag: tag, access: access, parameters: [.id()], body: Schema.ref(body),
                  replies: [200: .init("the new version", schema: Schema.ref(result), headers: ["ETag"]),
                            404: .problem("no such \(record)")].merging(refusals) { _, refusal in refusal },
                  conditional: true)
    }
}
