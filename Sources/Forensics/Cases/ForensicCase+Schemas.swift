import Foundation
import IFCCore
import IFCHTTP

extension Forensics {
    static var caseSchemas: [String: JSONValue] {
        let fields: [String: JSONValue] = [
            "submitting_agency": text(200), "officer": text(200), "agency_case_number": text(100, nullable: true), "offence": text(300),
            "incident_on": ["oneOf": [Schema.date, ["type": "null"]]], "incident_country": Schema.optionalCountry,
            "incident_place": text(300, nullable: true), "received_on": Schema.date, "confidentiality": Schema.ref("Confidentiality"),
            "requested_examinations": ["type": "array", "items": Schema.ref("ExaminationKind"), "uniqueItems": true],
            "seizure_ids": ["type": "array", "items": Schema.uuid, "uniqueItems": true, "maxItems": .int(CaseLimits.seizures)],
            "notes": ["type": ["string", "null"], "maxLength": 4000],
        ]
        var changes = fields
        changes["status"] = Schema.ref("CaseStatus")
        var stored = Schema.asStored(fields)
        stored["id"] = Schema.uuid
        stored["reference"] = ["type": "string", "pattern": .string(caseReferences.pattern)]
        stored["status"] = Schema.ref("CaseStatus")
        stored["created_by"] = Schema.string
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        let link: [String: JSONValue] = ["id": Schema.uuid, "case_id": Schema.uuid, "kind": Schema.ref("CaseLinkKind"), "target_id": Schema.uuid,
                                         "target_reference": Schema.string, "reason": Schema.string, "created_by": Schema.string,
                                         "created_at": Schema.dateTime]
        return [
            "CaseStatus": Schema.enumeration(CaseStatus.values),
            "Confidentiality": Schema.enumeration(Confidentiality.values),
            "ExaminationKind": Schema.enumeration(ExaminationKind.values),
            "CaseLinkKind": Schema.enumeration(CaseLinkKind.values),
            "NewForensicCase": Schema.object(fields, required: ["submitting_agency", "officer", "offence"]),
            "ForensicCaseChanges": Schema.changes(changes),
            "ForensicCase": Schema.object(stored, required: Array(stored.keys)),
            "ForensicCasePage": Schema.page(of: Schema.ref("ForensicCase")),
            "ForensicCaseVersion": Schema.version(of: Schema.ref("ForensicCase")),
            "NewCaseLink": Schema.object(["kind": Schema.ref("CaseLinkKind"), "target_id": Schema.uuid, "reason": text(1000)],
                                         required: ["kind", "target_id", "reason"]),
            "CaseLink": Schema.object(link, required: Array(link.keys)),
        ]
    }
}
