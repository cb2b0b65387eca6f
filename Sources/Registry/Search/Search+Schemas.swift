import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    static var searchSchemas: [String: JSONValue] {
        ["FirearmSearch": Schema.object(["items": Schema.array(Schema.ref("Firearm")), "pattern": Schema.string,
                                         "confusables": Schema.boolean, "fuzzy": Schema.boolean,
                                         "matches": Schema.array(Schema.object([
                                            "firearm_id": Schema.nullable("string", format: "uuid"),
                                            "component_id": Schema.nullable("string", format: "uuid"), "reference": Schema.string,
                                            "part": Schema.enumeration(["firearm"] + ComponentPart.allCases.map(\.rawValue)),
                                            "serial_normalized": Schema.nullable("string"),
                                            "match": Schema.enumeration(["exact", "confusable", "pattern", "fuzzy"]),
                                            "distance": ["type": ["integer", "null"], "minimum": 1, "maximum": 2]],
                                            required: ["firearm_id", "component_id", "reference", "part", "serial_normalized", "match", "distance"]))],
                                        required: ["items", "matches", "pattern", "confusables", "fuzzy"])]
    }
}

extension Schema {
    /// A serial search pattern as `Serial.Pattern.checked` takes it: at least three known
    /// characters (letters or digits), and either a known first character or three known ones in
    /// a row (separators between them are ignored); and, as every text, no character the kit's
    /// `TextRule` refuses (written into the pattern: the kit cannot merge an alternation).
    static let serialPattern: JSONValue = {
        let refused = TextRule.refusedClass(.line)
        return [
            "type": "string", "minLength": 3, "maxLength": 100,
            "pattern": .string("^(?:[^?*A-Za-z0-9\(refused)]*[A-Za-z0-9](?:[^A-Za-z0-9\(refused)]*[A-Za-z0-9]){2}"
                + "|[^\(refused)]*[A-Za-z0-9][^A-Za-z0-9?*\(refused)]*[A-Za-z0-9][^A-Za-z0-9?*\(refused)]*[A-Za-z0-9])[^\(refused)]*$"),
        ]
    }()
}
