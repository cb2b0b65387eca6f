import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    static var componentSchemas: [String: JSONValue] {
        let new: [String: JSONValue] = [
            "part": Schema.ref("ComponentPart"), "make": optionalText(100), "calibre": optionalText(50),
            "serial": Schema.serial.merging(["type": ["string", "null"]]), "other_markings": ["type": ["string", "null"], "maxLength": 1000],
        ]
        var stored = Schema.asStored(new)
        stored["id"] = Schema.uuid
        stored["reference"] = ["type": "string", "pattern": .string(ComponentStore.references.pattern)]
        stored["firearm_id"] = Schema.nullable("string", format: "uuid")
        stored["serial"] = Schema.nullable("string")
        stored["serial_normalized"] = Schema.nullable("string")
        stored["status"] = Schema.ref("FirearmStatus")
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        let event: [String: JSONValue] = [
            "id": Schema.uuid, "component_id": Schema.uuid, "kind": Schema.ref("EventKind"), "occurred_on": Schema.date,
            "place": Schema.nullable("string"), "agency": Schema.nullable("string"), "notes": Schema.nullable("string"),
            "status_after": Schema.ref("FirearmStatus"), "recorded_by": Schema.string, "recorded_at": Schema.dateTime,
        ]
        return [
            "ComponentPart": Schema.enumeration(ComponentPart.allCases.map(\.rawValue)),
            "NewComponent": Schema.object(new, required: ["part"]),
            "Component": Schema.object(stored, required: Array(stored.keys)),
            "ComponentDetail": Schema.object(stored.merging(["events": Schema.array(Schema.ref("ComponentEvent"))]) { a, _ in a },
                                             required: Array(stored.keys) + ["events"]),
            "ComponentVersion": Schema.version(of: Schema.ref("Component")),
            "ComponentEvent": Schema.object(event, required: Array(event.keys)),
            "NewComponentEvent": Schema.object([
                "kind": Schema.enumeration(ComponentEvent.kinds.map(\.rawValue)), "occurred_on": Schema.date,
                "place": ["type": ["string", "null"], "maxLength": 300], "agency": ["type": ["string", "null"], "maxLength": 200],
                "notes": ["type": ["string", "null"], "maxLength": 4000],
            ], required: ["kind", "occurred_on"]),
        ]
    }
}
