import IFCCore
import IFCHTTP

/// The OpenAPI 3.1 document, generated from the route specs the registry holds and the schemas
/// the modules declare. The standard problems each route may answer are added here, once.
public enum OpenAPIDocument {
    static let problemSchema: JSONValue = [
        "type": "object",
        "properties": [
            "type": Schema.string, "title": Schema.string, "status": Schema.integer, "detail": Schema.string,
            "errors": Schema.array(Schema.object(["field": Schema.string, "detail": Schema.string], required: ["field", "detail"])),
            "retry_after": Schema.integer,
        ],
        "required": ["type", "title", "status", "detail"],
    ]

    /// Schemas every module may refer to: they belong to the kit, not to a module.
    static var kitSchemas: [String: JSONValue] {
        ["Problem": problemSchema, "Country": Schema.enumeration(Country.codes.sorted()),
         "Date": ["type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]]
    }

    /// Two modules naming the same component schema: start-up stops rather than let the first win.
    public struct SchemaClash: Error, CustomStringConvertible {
        public let name: String
        public let modules: [String]
        public var description: String {
            "OpenAPI schema \"\(name)\" is declared by both \(modules.joined(separator: " and ")): rename one (e.g. prefix it with the module)"
        }
    }

    /// The component schemas of every module and of the kit, each name declared once.
    public static func mergeSchemas(of modules: [any IFCModule]) throws -> [String: JSONValue] {
        var owners = kitSchemas.mapValues { _ in "the kit" }
        var merged = kitSchemas
        for module in modules {
            for (name, schema) in module.schemas {
                if let owner = owners[name] { throw SchemaClash(name: name, modules: [owner, module.name]) }
                owners[name] = module.name
                merged[name] = schema
            }
        }
        return merged
    }

    static let noNUL = "^[^\\u0000]*$"

    /// Every free string refuses U+0000, as the server does (PostgreSQL text cannot hold it), so
    /// the document says so: a string schema without a format or enumeration gets the pattern,
    /// next to any pattern of its own.
    static func refusingNUL(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        if isFreeString(object) {
            if object["pattern"] == nil {
                object["pattern"] = .string(noNUL)
            } else if object["pattern"] != .string(noNUL) {
                var all: [JSONValue] = []
                if case .array(let existing)? = object["allOf"] { all = existing }
                object["allOf"] = .array(all + [["pattern": .string(noNUL)]])
            }
        }
        if case .object(let properties)? = object["properties"] { object["properties"] = .object(properties.mapValues(refusingNUL)) }
        if let items = object["items"] { object["items"] = refusingNUL(items) }
        for key in ["anyOf", "oneOf"] {
            if case .array(let options)? = object[key] { object[key] = .array(options.map(refusingNUL)) }
        }
        return .object(object)
    }

    static func isFreeString(_ object: [String: JSONValue]) -> Bool {
        let isString: Bool
        switch object["type"] {
        case .string("string")?: isString = true
        case .array(let types)?: isString = types.contains(.string("string"))
        default: isString = false
        }
        return isString && object["format"] == nil && object["enum"] == nil && object["const"] == nil
    }

    /// What a request takes states the kit's `TextRule`: every free string gets one pattern
    /// refusing the characters the server refuses (a free-text note's allowing line breaks, by
    /// the field's name as `TextRule.kind(ofField:)` says), combined with any pattern of its own
    /// (`TextPattern`). A pattern the combinator cannot merge is kept, and the rule added
    /// beside it with `allOf` (the kit's tests refuse that, naming the field).
    static func refusingText(_ schema: JSONValue, name: String?) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        if isFreeString(object) {
            let kind = name.map(TextRule.kind(ofField:)) ?? .line
            var existing: String?
            if case .string(let pattern)? = object["pattern"] { existing = pattern }
            if let combined = TextPattern.combining(existing, kind: kind) {
                object["pattern"] = .string(combined)
            } else {
                var all: [JSONValue] = []
                if case .array(let present)? = object["allOf"] { all = present }
                object["allOf"] = .array(all + [["pattern": .string(TextRule.pattern(kind))]])
            }
        }
        if case .object(let properties)? = object["properties"] {
            object["properties"] = .object(properties.reduce(into: [:]) { $0[$1.key] = refusingText($1.value, name: $1.key) })
        }
        if let items = object["items"] { object["items"] = refusingText(items, name: name) }
        for key in ["anyOf", "oneOf"] {
            if case .array(let options)? = object[key] { object[key] = .array(options.map { refusingText($0, name: name) }) }
        }
        return .object(object)
    }

    /// The component schemas a request body or parameter refers to, directly or through others.
    static func requestSchemaNames(specs: [RouteSpec], schemas: [String: JSONValue]) -> Set<String> {
        func refs(_ value: JSONValue, into names: inout Set<String>) {
            switch value {
            case .object(let object):
                if case .string(let ref)? = object["$ref"], ref.hasPrefix("#/components/schemas/") {
                    let name = String(ref.dropFirst("#/components/schemas/".count))
                    if names.insert(name).inserted, let schema = schemas[name] { refs(schema, into: &names) }
                }
                for member in object.values { refs(member, into: &names) }
            case .array(let array):
                for member in array { refs(member, into: &names) }
            default:
                break
            }
        }
        var names = Set<String>()
        for spec in specs {
            if let body = spec.requestBody { refs(body, into: &names) }
            for parameter in spec.parameters { refs(parameter.schema, into: &names) }
        }
        return names
    }

    public static func build(specs: [RouteSpec], schemas: [String: JSONValue], version: String) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for spec in specs {
            paths[spec.path, default: [:]][spec.method.rawValue.lowercased()] = operation(spec)
        }
        var allSchemas = schemas
        allSchemas.merge(kitSchemas) { module, _ in module }
        let requestSchemas = requestSchemaNames(specs: specs, schemas: allSchemas)
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "ifcd: Integrated Firearms Centre records API",
                "version": .string(version),
                "description": """
                    National records of an Integrated Firearms Centre. Every route but /health, /ready, /metrics, \
                    /openapi.json and login needs a bearer token (POST /v1/auth/token). Errors are RFC 9457 \
                    application/problem+json. Updates need If-Match with the record's ETag; POSTs honour Idempotency-Key; \
                    lists are keyset-paginated with limit and cursor. Every read and write of a record is audited.
                    """,
            ],
            "servers": [["url": "/"]],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                // A problem may quote what the client sent (a CSV header, say), NUL included. What
                // a request takes refuses what TextRule refuses; an answer only NUL, which stored
                // text cannot hold (records written before a rule stay valid answers).
                "schemas": .object(allSchemas.reduce(into: [:]) { all, entry in
                    all[entry.key] = entry.key == "Problem" ? entry.value
                        : requestSchemas.contains(entry.key) ? refusingText(entry.value, name: nil) : refusingNUL(entry.value)
                }),
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
            ],
        ]
    }

    static func operation(_ spec: RouteSpec) -> JSONValue {
        var parameters: [JSONValue] = spec.parameters.map { p in
            ["name": .string(p.name), "in": .string(p.location.rawValue), "required": .bool(p.required),
             "description": .string(p.description), "schema": refusingText(p.schema, name: p.name)]
        }
        if spec.idempotent {
            parameters.append(["name": "Idempotency-Key", "in": "header", "required": false,
                               "description": "repeat a POST safely: the same key and body answer the first response again",
                               "schema": ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"]])
        }
        if spec.conditional {
            parameters.append(["name": "If-Match", "in": "header", "required": true,
                               "description": "the ETag of the version the change applies to",
                               "schema": Schema.etag])
        }
        var responses: [String: JSONValue] = [:]
        for (status, reply) in spec.replies {
            var response: [String: JSONValue] = ["description": .string(reply.description)]
            if let schema = reply.schema {
                response["content"] = .object([reply.contentType: ["schema": schema]].merging(reply.alternatives) { first, _ in first })
            }
            if !reply.headers.isEmpty {
                response["headers"] = .object(Dictionary(uniqueKeysWithValues: reply.headers.map { ($0, ["schema": Schema.string] as JSONValue) }))
            }
            responses[String(status)] = .object(response)
        }
        func problem(_ status: Int, _ description: String) {
            if responses[String(status)] == nil {
                responses[String(status)] = ["description": .string(description),
                                             "content": ["application/problem+json": ["schema": Schema.ref("Problem")]]]
            }
        }
        problem(400, "malformed request")
        if spec.access != .open {
            problem(401, "no valid bearer token")
            problem(403, "the token's user lacks the role")
        }
        // Every protected route refuses a query parameter it does not declare (RouteRegistry).
        if spec.requestBody != nil || !spec.parameters.isEmpty || spec.idempotent || spec.conditional || spec.access != .open {
            problem(422, "invalid input; errors names each field (an undeclared query parameter among them)")
        }
        if spec.requestBody != nil {
            problem(413, "body too large")
            problem(415, "wrong content type")
        }
        if spec.idempotent { problem(409, "a request with this Idempotency-Key is in progress") }
        if spec.conditional {
            problem(404, "no such record")
            problem(412, "If-Match names a stale version")
            problem(428, "If-Match is missing")
        }
        if spec.path.contains("{") { problem(404, "no such record") }
        if spec.access != .open { problem(429, "the user's ceiling of records read per hour is reached; Retry-After says when") }
        problem(503, "the database is unavailable")
        var operation: [String: JSONValue] = [
            "operationId": .string(spec.operationID), "summary": .string(spec.summary), "tags": [.string(spec.tag)],
            "parameters": .array(parameters), "responses": .object(responses),
        ]
        if let body = spec.requestBody {
            // A body that is one text (a CSV file) is many lines: a note's rule.
            operation["requestBody"] = ["required": true, "content": .object([spec.requestContentType: ["schema": refusingText(body, name: "body")]])]
        }
        switch spec.access {
        case .open:
            operation["security"] = []
        case .authenticated:
            operation["security"] = [["bearer": []]]
            operation["description"] = "Any authenticated user."
        case .roles(let roles):
            operation["security"] = [["bearer": []]]
            operation["description"] = .string("Roles: \(roles.sorted().map(\.rawValue).joined(separator: ", ")).")
        }
        return .object(operation)
    }
}
