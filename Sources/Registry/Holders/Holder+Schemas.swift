import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    static var holderSchemas: [String: JSONValue] {
        let holder = NewHolder.table.properties
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
            "HolderChanges": NewHolder.table.correctionSchema,
            "Holder": Schema.object(stored, required: Array(stored.keys)),
            "HolderPage": Schema.page(of: Schema.ref("Holder")),
            "HolderVersion": Schema.version(of: Schema.ref("Holder")),
        ]
    }
}
