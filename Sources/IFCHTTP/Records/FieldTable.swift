import Foundation
import IFCCore

/// One field of a record type, said once: its JSON name, its schema in the API document, whether
/// a correction may change it (and why not), whether it is free text, and how to read, write and
/// compare it on the record's fields value. A PATCH body, the list of changed fields in a history
/// entry, the "names no change" refusal and the API document's schemas all come from these.
public struct RecordField<Fields: Sendable>: Sendable {
    public enum Change: Sendable, Equatable {
        /// A correction may set it.
        case correctable
        /// A correction may not: the refusal says how it changes instead.
        case fixed(String)
    }

    public let name: String
    public let schema: JSONValue
    public let change: Change
    /// Free text (`TextRule.Kind.note`: line breaks allowed) or one line.
    public let text: TextRule.Kind
    let differs: @Sendable (Fields, Fields) -> Bool
    /// Reads the field's value from a PATCH body: the change to make and what is wrong with the
    /// value by the field's own rule, or nil when the body gives `null` (a correction never clears
    /// a field by omission or null).
    let read: @Sendable (KeyedDecodingContainer<AnyKey>, AnyKey) throws -> (step: @Sendable (inout Fields) -> Void, problem: String?)?

    public var correctable: Bool { change == .correctable }

    /// A field of type `Value`. For an optional field (`Value` is `T?`) a PATCH's `null`, like an
    /// absent key, leaves the value as it is: a correction sets a value, it does not clear one.
    /// `check` is the value's own rule (the detail of its refusal, or nil): a PATCH names its
    /// failure with the body's other wrong fields, before the record is read.
    public init<Value: Codable & Equatable & Sendable>(_ name: String, _ path: any WritableKeyPath<Fields, Value> & Sendable,
                                                       schema: JSONValue, change: Change = .correctable, text: TextRule.Kind = .line,
                                                       check: (@Sendable (Value) -> String?)? = nil) {
        self.name = name
        self.schema = schema
        self.change = change
        self.text = text
        differs = { $0[keyPath: path] != $1[keyPath: path] }
        read = { container, key in
            guard let value = try container.decodeIfPresent(Value.self, forKey: key) else { return nil }
            return ({ $0[keyPath: path] = value }, check?(value))
        }
    }
}

/// Every field of a record type, in the order the API lists them.
public struct FieldTable<Fields: Sendable>: Sendable {
    public let fields: [RecordField<Fields>]
    /// Keys of the record's other bodies (its creation's) that a correction refuses, with how
    /// they change instead: named in a 422 rather than called unknown.
    public let refusedKeys: [String: String]
    let byName: [String: Int]

    public init(_ fields: [RecordField<Fields>], refusedKeys: [String: String] = [:]) {
        self.fields = fields
        self.refusedKeys = refusedKeys
        var byName: [String: Int] = [:]
        for (index, field) in fields.enumerated() {
            precondition(byName[field.name] == nil, "field \(field.name) is declared twice")
            byName[field.name] = index
        }
        self.byName = byName
    }

    public subscript(name: String) -> RecordField<Fields>? { byName[name].map { fields[$0] } }

    public var names: Set<String> { Set(byName.keys) }

    /// The fields that differ between two versions, in the table's order (a history entry's
    /// "changed" list).
    public func changed(_ a: Fields, _ b: Fields) -> [String] {
        fields.filter { $0.differs(a, b) }.map(\.name)
    }

    /// The JSON schema of every field, by name.
    public var properties: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.schema) })
    }

    /// The schema of a correction's body: the correctable fields, closed, at least one given.
    public var correctionSchema: JSONValue {
        Schema.changes(Dictionary(uniqueKeysWithValues: fields.filter(\.correctable).map { ($0.name, $0.schema) }))
    }
}

/// A record's correctable description: the value a PATCH applies to.
public protocol RecordFields: Sendable, Equatable {
    static var table: FieldTable<Self> { get }
}

/// The body of a PATCH of a record whose fields are `Fields`: each key a field of its table. An
/// unknown key, a field a correction may not change (with how that field changes instead) or a
/// mistyped value is a 422 naming it, every such field in one answer; a body that sets nothing is
/// a 422 "names no change".
public struct Patch<Fields: RecordFields>: RequestBody {
    public private(set) var given: [String] = []
    var steps: [@Sendable (inout Fields) -> Void] = []
    var refused: [Problem.FieldError] = []

    public static var knownKeys: Set<String> { Fields.table.names.union(Fields.table.refusedKeys.keys) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            if let reason = Fields.table.refusedKeys[key.stringValue] {
                if try !container.decodeNil(forKey: key) { refused.append(.init(field: key.stringValue, detail: reason)) }
                continue
            }
            guard let field = Fields.table[key.stringValue] else {
                throw DecodingError.dataCorrupted(.init(codingPath: [key], debugDescription: "is not a known field"))
            }
            if case .fixed(let reason) = field.change {
                if try !container.decodeNil(forKey: key) { refused.append(.init(field: field.name, detail: reason)) }
                continue
            }
            // A mistyped value is named with the others, so that one answer names every wrong field.
            do {
                if let (step, problem) = try field.read(container, key) {
                    given.append(field.name)
                    steps.append(step)
                    if let problem { refused.append(.init(field: field.name, detail: problem)) }
                }
            } catch let error as DecodingError {
                refused += JSONBody.problem(for: error).errors ?? [.init(field: field.name, detail: "is not valid")]
            }
        }
    }

    public func validate() throws(Problem) {
        if !refused.isEmpty { throw Problem.validation(refused) }
        if steps.isEmpty { throw Problem.invalid("body", "names no change") }
    }

    /// The fields with the patch's values set.
    public func applied(to fields: Fields) -> Fields {
        var fields = fields
        for step in steps { step(&fields) }
        return fields
    }
}
