import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

extension Schema {
    /// A serial as marked: at most 100 characters, at least one letter or digit.
    static let serial: JSONValue = ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "[A-Za-z0-9]"]
}

extension Registry {
    /// The descriptive fields a clerk sends (`FirearmDescription.table`), with the categories this
    /// deployment configures.
    static func firearmDescriptionSchema(categories: [String]) -> [String: JSONValue] {
        var schema = FirearmDescription.table.properties
        schema["category"] = ["type": ["string", "null"], "enum": .array(categories.map { .string($0) } + [.null])]
        return schema
    }

    /// An optional free text that, when given, is not blank.
    static func optionalText(_ max: Int) -> JSONValue {
        ["type": ["string", "null"], "minLength": 1, "maxLength": .int(max), "pattern": "\\S"]
    }

    static func firearmSchemas(categories: [String]) -> [String: JSONValue] {
        let description = firearmDescriptionSchema(categories: categories)
        var firearm = Schema.asStored(description)
        firearm["id"] = Schema.uuid
        firearm["reference"] = ["type": "string", "pattern": .string(firearmReferences.pattern)]
        firearm["serial"] = Schema.nullable("string")
        firearm["serial_normalized"] = Schema.nullable("string")
        // Nil only in versions recorded before these fields existed.
        firearm["marking_condition"] = ["oneOf": [Schema.ref("MarkingCondition"), ["type": "null"]]]
        firearm["record_origin"] = ["oneOf": [Schema.ref("RecordOrigin"), ["type": "null"]]]
        firearm["category"] = Schema.nullable("string")
        firearm["status"] = Schema.ref("FirearmStatus")
        firearm["holder_id"] = Schema.nullable("string", format: "uuid")
        firearm["version"] = Schema.integer
        firearm["created_at"] = Schema.dateTime
        firearm["updated_at"] = Schema.dateTime
        let required = Array(firearm.keys)
        var newFirearm = description
        newFirearm["holder_id"] = Schema.nullable("string", format: "uuid")
        return [
            "FirearmType": Schema.enumeration(FirearmType.allCases.map(\.rawValue)),
            "MarkingCondition": Schema.enumeration(MarkingCondition.allCases.map(\.rawValue)),
            "RecordOrigin": Schema.enumeration(RecordOrigin.allCases.map(\.rawValue)),
            "FirearmStatus": Schema.enumeration(FirearmStatus.allCases.map(\.rawValue)),
            "Firearm": Schema.object(firearm, required: required),
            "NewFirearm": Schema.object(newFirearm, required: ["make", "type", "calibre"]),
            "FirearmChanges": Schema.changes(description),
            "FirearmPage": Schema.page(of: Schema.ref("Firearm")),
            "FirearmVersion": Schema.version(of: Schema.ref("Firearm")),
            "FirearmDetail": Schema.object(firearm.merging(["licences": Schema.array(Schema.ref("Licence")),
                                                            "components": Schema.array(Schema.ref("Component"))]) { a, _ in a },
                                           required: required + ["licences", "components"]),
        ].merging(reviewSchemas(firearm: firearm, required: required)) { a, _ in a }
    }
}
