import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    static func eventSchemas(categories: [String]) -> [String: JSONValue] {
        var event: [String: JSONValue] = [
            "kind": Schema.ref("EventKind"), "occurred_on": Schema.date,
            "transfer_kind": ["type": ["string", "null"], "enum": .array(TransferKind.allCases.map { .string($0.rawValue) } + [.null])],
            "place": ["type": ["string", "null"], "maxLength": 300], "agency": ["type": ["string", "null"], "maxLength": 200],
            "document_ref": ["type": ["string", "null"], "maxLength": 200], "permit_number": ["type": ["string", "null"], "maxLength": 100],
            "counterpart_country": Schema.optionalCountry, "counterpart_holder_id": Schema.nullable("string", format: "uuid"),
            "notes": ["type": ["string", "null"], "maxLength": 4000],
        ]
        event.merge([
            "voids_event_id": Schema.nullable("string", format: "uuid"), "reason": optionalText(1000),
            "historical": ["type": ["boolean", "null"]], "source_document": optionalText(200), "authority": optionalText(200),
            "certificate_number": optionalText(100), "certificate_standard": optionalText(200),
            "conversion": ["type": ["string", "null"], "enum": .array(ConversionKind.allCases.map { .string($0.rawValue) } + [.null])],
            "category_after": ["type": ["string", "null"], "enum": .array(categories.map { .string($0) } + [.null])],
            "cross_border": ["oneOf": [Schema.ref("CrossBorder"), ["type": "null"]]],
        ]) { _, new in new }
        var recorded = Schema.asStored(event)
        recorded["historical"] = Schema.boolean
        recorded["category_before"] = Schema.nullable("string")
        recorded["category_after"] = Schema.nullable("string")
        recorded["voided_by"] = Schema.nullable("string", format: "uuid")
        recorded["from_holder_id"] = Schema.nullable("string", format: "uuid")
        recorded["consignment_id"] = Schema.nullable("string", format: "uuid")
        recorded["id"] = Schema.uuid
        recorded["firearm_id"] = Schema.uuid
        recorded["status_after"] = Schema.ref("FirearmStatus")
        recorded["firearm_version"] = Schema.integer
        recorded["recorded_by"] = Schema.string
        recorded["recorded_at"] = Schema.dateTime
        return [
            "EventKind": Schema.enumeration(EventKind.allCases.map(\.rawValue)),
            "TransferLicence": Schema.object(["number": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"],
                                              "issued_on": ["oneOf": [Schema.date, ["type": "null"]]],
                                              "expires_on": ["oneOf": [Schema.date, ["type": "null"]]]], required: ["number"]),
            "CrossBorder": Schema.object([
                "export_licence": ["oneOf": [Schema.ref("TransferLicence"), ["type": "null"]]],
                "import_licence": ["oneOf": [Schema.ref("TransferLicence"), ["type": "null"]]],
                "exporting_country": Schema.optionalCountry, "importing_country": Schema.optionalCountry,
                "transit_countries": ["type": ["array", "null"], "items": Schema.country, "maxItems": 20],
                "foreign_party": optionalText(300), "final_recipient": optionalText(300),
            ]),
            "NewFirearmEvent": Schema.object(event, required: ["kind", "occurred_on"]),
            "FirearmEvent": Schema.object(recorded, required: Array(recorded.keys)),
            "FirearmEventResult": Schema.object(["event": Schema.ref("FirearmEvent"), "firearm": Schema.ref("Firearm")],
                                                required: ["event", "firearm"]),
        ]
    }
}
