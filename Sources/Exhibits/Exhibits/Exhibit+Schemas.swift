import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP

extension Exhibits {
    /// A free text that, when given, is not blank.
    static func text(_ max: Int, nullable: Bool = false) -> JSONValue {
        let type: JSONValue = nullable ? ["string", "null"] : "string"
        return ["type": type, "minLength": 1, "maxLength": .int(max), "pattern": "\\S"]
    }

    static func optional(_ schema: JSONValue) -> JSONValue { ["oneOf": [schema, ["type": "null"]]] }

    static var exhibitSchemas: [String: JSONValue] {
        let fields = ExhibitFields.table.properties
        var stored = Schema.asStored(fields)
        stored["id"] = Schema.uuid
        stored["reference"] = ["type": "string", "pattern": .string(references.pattern)]
        stored["custodian_kind"] = Schema.ref("CustodianKind")
        stored["custodian"] = Schema.string
        stored["status"] = Schema.ref("ExhibitStatus")
        stored["seal_broken"] = Schema.boolean
        stored["disposition"] = optional(Schema.ref("DispositionKind"))
        stored["disposition_authority"] = Schema.nullable("string")
        stored["disposed_on"] = optional(Schema.date)
        stored["created_by"] = Schema.string
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        return [
            "ExhibitKind": Schema.enumeration(ExhibitKind.values),
            "Derivation": Schema.enumeration(Derivation.values),
            "TwistDirection": Schema.enumeration(TwistDirection.values),
            "ManufactureOrigin": Schema.enumeration(ManufactureOrigin.values),
            "CustodianKind": Schema.enumeration(CustodianKind.values),
            "ExhibitStatus": Schema.enumeration(ExhibitStatus.values),
            "DispositionKind": Schema.enumeration(DispositionKind.values),
            "NewExhibit": Schema.object(fields, required: ["barcode", "kind", "case_id", "description"]),
            "ExhibitChanges": ExhibitFields.table.correctionSchema,
            "Exhibit": Schema.object(stored, required: Array(stored.keys)),
            "ExhibitPage": Schema.page(of: Schema.ref("Exhibit")),
            "ExhibitVersion": Schema.version(of: Schema.ref("Exhibit")),
            "ExhibitNode": Schema.object(["exhibit": Schema.ref("Exhibit"), "derived": Schema.array(Schema.ref("ExhibitNode"))],
                                         required: ["exhibit", "derived"]),
            "CaseExhibits": Schema.object(["case_id": Schema.uuid, "case_reference": Schema.string, "broken_seal": Schema.boolean,
                                           "exhibits": Schema.array(Schema.ref("Exhibit"))],
                                          required: ["case_id", "case_reference", "broken_seal", "exhibits"]),
        ]
    }
}
