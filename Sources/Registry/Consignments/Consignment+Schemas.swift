import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    static var consignmentSchemas: [String: JSONValue] {
        let new: [String: JSONValue] = [
            "direction": Schema.enumeration([TransferKind.export.rawValue, TransferKind.import.rawValue]),
            "shipped_on": Schema.date, "counterpart_country": Schema.country, "cross_border": Schema.ref("CrossBorder"),
            "quantity": ["type": ["integer", "null"], "minimum": 1, "maximum": 100000],
            "firearm_ids": ["type": "array", "items": Schema.uuid, "minItems": 1, "maxItems": 500, "uniqueItems": true],
            "notes": ["type": ["string", "null"], "maxLength": 4000],
        ]
        var stored = new
        stored["id"] = Schema.uuid
        stored["reference"] = ["type": "string", "pattern": .string(consignmentReferences.pattern)]
        stored["quantity"] = Schema.integer
        stored["firearm_ids"] = Schema.array(Schema.uuid)
        stored["delivery_verified_on"] = ["oneOf": [Schema.date, ["type": "null"]]]
        stored["delivery_document"] = Schema.nullable("string")
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        return [
            "NewConsignment": Schema.object(new, required: ["direction", "shipped_on", "counterpart_country", "cross_border", "firearm_ids"]),
            "Consignment": Schema.object(stored, required: Array(stored.keys)),
            "ConsignmentVersion": Schema.version(of: Schema.ref("Consignment")),
            "DeliveryVerification": Schema.object(["verified_on": Schema.date,
                                                   "document": ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"]],
                                                  required: ["verified_on", "document"]),
        ]
    }
}
