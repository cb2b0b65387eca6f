import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import RegistryAPI

extension Forensics {
    /// A free text that, when given, is not blank.
    static func text(_ max: Int, nullable: Bool = false) -> JSONValue {
        let type: JSONValue = nullable ? ["string", "null"] : "string"
        return ["type": type, "minLength": 1, "maxLength": .int(max), "pattern": "\\S"]
    }

    static func enumeration(_ values: [String], nullable: Bool = false) -> JSONValue {
        nullable ? ["type": ["string", "null"], "enum": .array(values.map { .string($0) } + [.null])] : Schema.enumeration(values)
    }

    static var seizureSchemas: [String: JSONValue] {
        let quantity: JSONValue = ["type": "integer", "minimum": 1, "maximum": .int(SeizureLimits.quantity.upperBound)]
        let person = Schema.object(["role": Schema.ref("PersonRole"), "nationality": Schema.optionalCountry], required: ["role"])
        let part = Schema.object(["kind": Schema.ref("PartKind"), "quantity": quantity, "description": text(1000, nullable: true),
                                  "marking": text(200, nullable: true)], required: ["kind", "quantity"])
        let ammunition = Schema.object(["calibre": text(50), "quantity": quantity, "headstamp": text(100, nullable: true)],
                                       required: ["calibre", "quantity"])
        let year: JSONValue = ["type": ["integer", "null"], "minimum": 1800, "maximum": .int(CalendarDate(Date()).year)]
        // The registry's own rules for what it records of an illicit find (FirearmDescription.problems).
        let description = Schema.object([
            "make": text(100), "model": ["type": ["string", "null"], "maxLength": 100], "type": Schema.ref("FirearmType"),
            "calibre": text(50), "serial": ["type": ["string", "null"], "minLength": 1, "maxLength": 100, "pattern": "[A-Za-z0-9]"],
            "marking_condition": Schema.ref("MarkingCondition"),
            "marking_part": enumeration(MarkingPart.allCases.map(\.rawValue), nullable: true),
            "state_marking": text(200, nullable: true), "restoration_method": text(200, nullable: true),
            "other_markings": ["type": ["string", "null"], "maxLength": 1000], "country_of_manufacture": Schema.optionalCountry,
            "year_of_manufacture": year, "notes": ["type": ["string", "null"], "maxLength": 4000],
        ], required: ["make", "type", "calibre"])
        let seizedFirearm: JSONValue = ["oneOf": [
            Schema.object(["firearm_id": Schema.uuid], required: ["firearm_id"]),
            Schema.object(["description": description], required: ["description"]),
        ]]
        let fields = SeizureFields.table.properties
        var new = fields
        new["firearms"] = ["type": "array", "items": seizedFirearm, "maxItems": .int(SeizureLimits.firearms)]
        var stored = Schema.asStored(fields)
        stored["id"] = Schema.uuid
        stored["reference"] = ["type": "string", "pattern": .string(seizureReferences.pattern)]
        stored["firearms"] = Schema.array(Schema.object(["firearm_id": Schema.uuid, "firearm_reference": Schema.string,
                                                         "registry_record": Schema.enumeration(RegistryRecordKind.allCases.map(\.rawValue))],
                                                        required: ["firearm_id", "firearm_reference", "registry_record"]))
        stored["created_by"] = Schema.string
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        return [
            "SeizureContext": Schema.enumeration(SeizureContext.values),
            "PersonRole": Schema.enumeration(PersonRole.values),
            "PartKind": Schema.enumeration(PartKind.values),
            "SeizedPerson": person, "SeizedPart": part, "SeizedAmmunition": ammunition,
            "NewSeizure": Schema.object(new, required: ["agency", "officer", "seized_on", "country", "context"]),
            "SeizureChanges": SeizureFields.table.correctionSchema,
            "Seizure": Schema.object(stored, required: Array(stored.keys)),
            "SeizurePage": Schema.page(of: Schema.ref("Seizure")),
            "SeizureVersion": Schema.version(of: Schema.ref("Seizure")),
        ]
    }
}
