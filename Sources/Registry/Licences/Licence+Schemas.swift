import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    static var licenceSchemas: [String: JSONValue] {
        let licence: [String: JSONValue] = [
            "id": Schema.uuid, "number": Schema.string, "holder_id": Schema.uuid, "kind": Schema.ref("LicenceKind"),
            "issuing_authority": Schema.string, "valid_from": Schema.date, "valid_until": Schema.date,
            "status": Schema.ref("LicenceStatus"), "status_reason": Schema.nullable("string"),
            "effective_status": Schema.enumeration(EffectiveStatus.allCases.map(\.rawValue)),
            // Null only in versions recorded before these fields existed.
            "firearm_ids": Schema.array(Schema.uuid), "conditions": ["type": ["array", "null"], "items": Schema.ref("LicenceCondition")],
            "ended_cover": ["type": ["array", "null"], "items": Schema.object(["firearm_id": Schema.uuid, "event_id": Schema.uuid, "ended_on": Schema.date],
                                                      required: ["firearm_id", "event_id", "ended_on"])],
            "version": Schema.integer, "created_at": Schema.dateTime, "updated_at": Schema.dateTime,
        ]
        return [
            "LicenceKind": Schema.enumeration(LicenceKind.allCases.map(\.rawValue)),
            "LicenceStatus": Schema.enumeration(LicenceStatus.allCases.map(\.rawValue)),
            "LicenceCondition": Schema.object(["kind": Schema.enumeration(LicenceCondition.Kind.allCases.map(\.rawValue)),
                                               "text": ["type": "string", "minLength": 1, "maxLength": 1000, "pattern": "\\S"]],
                                              required: ["kind", "text"]),
            "NewLicence": Schema.object([
                "holder_id": Schema.uuid, "number": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"],
                "kind": Schema.ref("LicenceKind"),
                "issuing_authority": ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"],
                "valid_from": Schema.date, "valid_until": Schema.date,
                "firearm_ids": ["type": "array", "items": Schema.uuid, "maxItems": 500],
                "conditions": ["type": "array", "items": Schema.ref("LicenceCondition"), "maxItems": 20],
            ], required: ["holder_id", "number", "kind", "issuing_authority", "valid_from", "valid_until"]),
            // A reason alone changes nothing: a change names a status or an end date.
            "LicenceChanges": Schema.changes([
                "status": Schema.ref("LicenceStatus"),
                "status_reason": ["type": "string", "maxLength": 1000], "valid_until": Schema.date,
                "conditions": ["type": "array", "items": Schema.ref("LicenceCondition"), "maxItems": 20],
            ]).merging(["anyOf": [["required": ["status"]], ["required": ["valid_until"]], ["required": ["conditions"]]]]),
            "Licence": Schema.object(licence, required: Array(licence.keys)),
            "LicencePage": Schema.page(of: Schema.ref("Licence")),
            "LicenceVersion": Schema.version(of: Schema.ref("Licence")),
        ]
    }
}
