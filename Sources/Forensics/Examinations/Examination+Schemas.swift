import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import RegistryAPI

extension Forensics {
    static var examinationSchemas: [String: JSONValue] {
        var fields = ExaminationFields.table.properties
        fields["kind"] = nil
        var new = fields
        new["kind"] = Schema.ref("ExaminationKind")
        var stored = Schema.asStored(new)
        stored["recovered_serial"] = Schema.nullable("string")
        stored["id"] = Schema.uuid
        stored["case_id"] = Schema.uuid
        stored["examiner"] = Schema.string
        stored["verified_by"] = Schema.nullable("string")
        stored["verified_at"] = Schema.nullable("string", format: "date-time")
        stored["verification_note"] = Schema.nullable("string")
        stored["verified_version"] = ["type": ["integer", "null"], "minimum": 1]
        stored["candidates"] = ["type": ["array", "null"], "items": Schema.ref("SerialCandidate")]
        stored["searched_at"] = Schema.nullable("string", format: "date-time")
        stored["confirmed_firearm_id"] = Schema.nullable("string", format: "uuid")
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        let candidate: [String: JSONValue] = [
            "firearm_id": Schema.uuid, "reference": Schema.string, "make": Schema.string, "model": Schema.nullable("string"),
            "type": Schema.ref("FirearmType"), "calibre": Schema.string, "serial": Schema.nullable("string"), "status": Schema.ref("FirearmStatus"),
        ]
        return [
            "AFTEConclusion": Schema.enumeration(AFTEConclusion.values),
            "NewExamination": Schema.object(new, required: ["kind"]),
            "ExaminationChanges": ExaminationFields.table.correctionSchema,
            "Examination": Schema.object(stored, required: Array(stored.keys)),
            "ExaminationVersion": Schema.version(of: Schema.ref("Examination")),
            "SerialCandidate": Schema.object(candidate, required: Array(candidate.keys)),
            "Verification": Schema.object(["note": text(2000, nullable: true)]),
        ]
    }
}
