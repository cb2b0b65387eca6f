import Foundation
import HTTPTypes
import Hummingbird
import IFCCore

/// A request body type whose JSON keys are all known: an unknown key is refused (422) rather
/// than silently ignored, so that a misspelt field never passes for an absent one.
public protocol RequestBody: Decodable, Sendable {
    /// The top-level keys the body may hold.
    static var knownKeys: Set<String> { get }
    /// Checks what JSON types cannot say (lengths, ranges, formats); throws a validation problem.
    func validate() throws(Problem)
}

extension RequestBody {
    public func validate() throws(Problem) {}
}

/// A request body whose known keys are its `CodingKeys`.
public protocol StrictBody: RequestBody {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension StrictBody {
    public static var knownKeys: Set<String> { Set(CodingKeys.allCases.map(\.stringValue)) }
}

public enum JSONBody {
    public static var encoder: JSONEncoder { JSONCoding.encoder }
    public static var decoder: JSONDecoder { JSONCoding.decoder }

    /// Reads and checks a JSON body: content type, size (413), UTF-8 and syntax (400), unknown
    /// keys, missing or mistyped fields, then the type's own rules (422 naming the field).
    public static func decode<T: RequestBody>(_ type: T.Type, from request: Request, context: AppRequestContext) async throws -> T {
        if let contentType = request.headers[.contentType],
           !contentType.lowercased().hasPrefix("application/json") {
            throw Problem(slug: "unsupported-media-type", title: "Unsupported media type", status: 415,
                          detail: "send the body as application/json")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        return try decode(type, from: data)
    }

    /// Whether any string or key of the body holds a character `TextRule` refuses there.
    static func holdsRefusedText(_ value: Any, name: String) -> Bool {
        switch value {
        case let text as String:
            return TextRule.refusal(text, as: TextRule.kind(ofField: name)) != nil
        case let array as [Any]:
            return array.contains { holdsRefusedText($0, name: name) }
        case let object as [String: Any]:
            return object.contains { key, item in TextRule.refusal(key, as: .line) != nil || holdsRefusedText(item, name: key) }
        default:
            return false
        }
    }

    /// Every string of the body, and every object key, checked against the kit's `TextRule`:
    /// one error per offending field, named by its path as decoding errors name it
    /// (`firearms[0].notes`); a string is a note or a line by its key, an array's items by the
    /// array's key.
    static func textRefusals(_ value: Any, path: String, name: String) -> [Problem.FieldError] {
        switch value {
        case let text as String:
            guard let refusal = TextRule.refusal(text, as: TextRule.kind(ofField: name)) else { return [] }
            return [.init(field: path.isEmpty ? "body" : path, detail: refusal)]
        case let array as [Any]:
            return array.enumerated().flatMap { index, item in textRefusals(item, path: "\(path.isEmpty ? "body" : path)[\(index)]", name: name) }
        case let object as [String: Any]:
            return object.sorted { $0.key < $1.key }.flatMap { key, item in
                let field = path.isEmpty ? key : "\(path).\(key)"
                if let refusal = TextRule.refusal(key, as: .line) { return [Problem.FieldError(field: field, detail: "names a field that " + refusal)] }
                return textRefusals(item, path: field, name: key)
            }
        default:
            return []
        }
    }

    public static func decode<T: RequestBody>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw Problem.badRequest("the request needs a JSON body", field: "body") }
        guard String(validating: data, as: UTF8.self) != nil else {
            throw Problem.badRequest("the body is not valid UTF-8", field: "body")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw Problem.badRequest("the body is not valid JSON", field: "body")
        }
        guard let dictionary = object as? [String: Any] else {
            throw Problem.invalid("body", "must be a JSON object")
        }
        let unknown = Set(dictionary.keys).subtracting(T.knownKeys).sorted()
        if !unknown.isEmpty {
            throw Problem.validation(unknown.map { .init(field: $0, detail: "is not a known field") })
        }
        // No control, bidirectional or other refused character in any text (TextRule), U+0000
        // among them (PostgreSQL text cannot hold it): refused naming the field, never stripped.
        // Most bodies cannot hold one (a byte scan says so); the others are walked, and only a
        // body that holds one has its fields' paths spelt out.
        if TextRule.mayRefuse(json: data) && holdsRefusedText(dictionary, name: "") {
            throw Problem.validation(textRefusals(dictionary, path: "", name: ""))
        }
        let value: T
        do {
            value = try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw problem(for: error)
        }
        try value.validate()
        return value
    }

    static func path(_ codingPath: [any CodingKey], appending key: (any CodingKey)? = nil) -> String {
        var parts = codingPath
        if let key { parts.append(key) }
        var text = ""
        for part in parts {
            if let index = part.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? part.stringValue : ".\(part.stringValue)"
            }
        }
        return text.isEmpty ? "body" : text
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath, appending: key), "is required")
        case .valueNotFound(_, let context):
            return .invalid(path(context.codingPath), "must not be null")
        case .typeMismatch(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type))")
        case .dataCorrupted(let context):
            return .invalid(path(context.codingPath), context.debugDescription.isEmpty ? "is not valid" : context.debugDescription)
        @unknown default:
            return .badRequest("the body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}

extension Response {
    /// A JSON response, with the record's version as a strong ETag when given.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, version: Int? = nil,
                                          location: String? = nil) throws -> Response {
        let data = try JSONBody.encoder.encode(value)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let version { headers[.eTag] = ETag.make(version) }
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
