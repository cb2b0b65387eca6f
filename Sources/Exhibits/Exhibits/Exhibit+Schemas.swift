import Foundation
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
        let changeable: [String: JSONValue] = [
            "description": text(2000),
            "quantity": ["type": "integer", "minimum": 1, "maximum": .int(ExhibitLimits.quantity.upperBound)],
            "calibre": text(50, nullable: true), "condition_on_receipt": text(1000, nullable: true),
            "storage_location": text(200, nullable: true), "headstamp": text(100, nullable: true), "lot": text(100, nullable: true),
            "lands_and_grooves": ["type": ["integer", "null"], "minimum": 1, "maximum": .int(ExhibitLimits.landsAndGrooves.upperBound)],
            "twist_direction": optional(Schema.ref("TwistDirection")), "manufacture_origin": optional(Schema.ref("ManufactureOrigin")),
        ]
        var fields = changeable
        fields["barcode"] = text(100)
        fields["kind"] = Schema.ref("ExhibitKind")
        fields["case_id"] = Schema.uuid
        fields["seizure_id"] = Schema.nullable("string", format: "uuid")
        fields["parent_id"] = Schema.nullable("string", format: "uuid")
        fields["derivation"] = optional(Schema.ref("Derivation"))
        fields["seal_number"] = text(100, nullable: true)
        fields["firearm_id"] = Schema.nullable("string", format: "uuid")
        fields["received_on"] = Schema.date
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
            "ExhibitChanges": Schema.changes(changeable),
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
