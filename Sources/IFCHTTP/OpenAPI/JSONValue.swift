/// A JSON value written as Swift literals: OpenAPI schemas and small documents.
public indirect enum JSONValue: Sendable, Equatable, Encodable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}

/// Shorthands for the schemas modules write most.
extension JSONValue {
    /// An object with `extra` keys added (replacing any of the same name); other values unchanged.
    public func merging(_ extra: [String: JSONValue]) -> JSONValue {
        guard case .object(var object) = self else { return self }
        object.merge(extra) { _, new in new }
        return .object(object)
    }
}

public enum Schema {
    public static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    public static let string: JSONValue = ["type": "string"]
    public static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    public static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    public static let integer: JSONValue = ["type": "integer"]
    public static let boolean: JSONValue = ["type": "boolean"]
    /// A non-empty string of at most `max` characters.
    public static func text(max: Int) -> JSONValue { ["type": "string", "minLength": 1, "maxLength": .int(max), "pattern": "^[^\\u0000]*$"] }
    /// An `If-Match` value as `ETag.requiredVersion` takes it: a positive version, quoted, maybe weak.
    public static let etag: JSONValue = ["type": "string", "pattern": "^(W/)?\"[1-9][0-9]{0,17}\"$"]
    public static func nullable(_ type: String, format: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["type": [.string(type), "null"]]
        if let format { object["format"] = .string(format) }
        return .object(object)
    }
    public static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    public static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map { .string($0) })] }

    /// A closed object: the listed properties, the required ones, nothing else. Records name
    /// every field (nulls are written out), so a response schema may list nullable fields as
    /// required. Optional properties also take null, which the decoders read as absent.
    public static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var properties = properties
        for (name, schema) in properties where !required.contains(name) {
            if case .array(let types)? = schema["type"], types.contains(.string("null")) { continue }
            if case .array(let options)? = schema["oneOf"], options.contains(["type": "null"]) { continue }
            properties[name] = ["anyOf": [schema, ["type": "null"]]]
        }
        var object: [String: JSONValue] = ["type": "object", "properties": .object(properties), "additionalProperties": false]
        if !required.isEmpty { object["required"] = .array(required.sorted().map { .string($0) }) }
        return .object(object)
    }

    /// The body of a PATCH: a closed object naming at least one change.
    public static func changes(_ properties: [String: JSONValue]) -> JSONValue {
        guard case .object(var schema) = object(properties) else { return object(properties) }
        schema["minProperties"] = 1
        return .object(schema)
    }

    /// Request properties as a response shows them: without the patterns and minimum lengths
    /// that only new input must meet, so records made before a rule stay valid answers.
    public static func asStored(_ properties: [String: JSONValue]) -> [String: JSONValue] {
        properties.mapValues { schema in
            guard case .object(var object) = schema else { return schema }
            object["pattern"] = nil
            object["minLength"] = nil
            return .object(object)
        }
    }

    /// One version of a record in its history (`RecordVersion`).
    public static func version(of record: JSONValue) -> JSONValue {
        object(["version": integer, "change": string, "changed_by": string, "changed_at": dateTime, "record": record],
               required: ["version", "change", "changed_by", "changed_at", "record"])
    }

    /// A calendar day (`CalendarDate`), as the kit's `Date` schema.
    public static let date: JSONValue = ref("Date")
    public static let country: JSONValue = ref("Country")
    /// A country or null.
    public static let optionalCountry: JSONValue = ["oneOf": [ref("Country"), ["type": "null"]]]

    /// One page of a keyset-paginated list.
    public static func page(of item: JSONValue) -> JSONValue {
        object(["items": array(item), "next_cursor": nullable("string")], required: ["items", "next_cursor"])
    }
}
