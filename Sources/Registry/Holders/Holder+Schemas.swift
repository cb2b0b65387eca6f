import IFCCore
import IFCHTTP

extension Registry {
    static var holderSchemas: [String: JSONValue] {
        let holder: [String: JSONValue] = [
            "kind": Schema.enumeration(HolderKind.allCases.map(\.rawValue)),
            "name": ["type": "string", "minLength": 1, "maxLength": 300, "pattern": "\\S"],
            "id_number": ["type": ["string", "null"], "minLength": 1, "maxLength": 100, "pattern": "\\S"],
            "address": ["type": ["string", "null"], "maxLength": 1000],
            "country": Schema.country,
            // Not in the future: a rule JSON Schema cannot state (Deploy/reliability/fuzz_hooks.py names it).
            "date_of_birth": ["oneOf": [Schema.date, ["type": "null"]]],
            "nationality": Schema.optionalCountry,
            "id_document_kind": ["type": ["string", "null"], "enum": .array(IDDocumentKind.allCases.map { .string($0.rawValue) } + [.null])],
        ]
        // As stored: the request's patterns are not repeated (records made before a rule stay readable).
        var stored = Schema.asStored(holder)
        stored["id"] = Schema.uuid
        stored["reference"] = ["type": "string", "pattern": .string(holderReferences.pattern)]
        stored["ceased_on"] = ["oneOf": [Schema.date, ["type": "null"]]]
        stored["ceased_authority"] = Schema.nullable("string")
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        return [
            "NewHolder": Schema.object(holder, required: ["kind", "name", "country"]),
            "HolderChanges": Schema.changes(holder),
            "Holder": Schema.object(stored, required: Array(stored.keys)),
            "HolderPage": Schema.page(of: Schema.ref("Holder")),
            "HolderVersion": Schema.version(of: Schema.ref("Holder")),
        ]
    }
}
