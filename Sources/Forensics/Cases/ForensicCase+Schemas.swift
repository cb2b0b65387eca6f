import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP

extension Forensics {
    static var caseSchemas: [String: JSONValue] {
        var fields = CaseRevision.table.properties
        fields["status"] = nil
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
            "ForensicCaseChanges": CaseRevision.table.correctionSchema,
            "ForensicCase": Schema.object(stored, required: Array(stored.keys)),
            "ForensicCasePage": Schema.page(of: Schema.ref("ForensicCase")),
            "ForensicCaseVersion": Schema.version(of: Schema.ref("ForensicCase")),
            "NewCaseLink": Schema.object(["kind": Schema.ref("CaseLinkKind"), "target_id": Schema.uuid, "reason": text(1000)],
                                         required: ["kind", "target_id", "reason"]),
            "CaseLink": Schema.object(link, required: Array(link.keys)),
        ]
    }
}
