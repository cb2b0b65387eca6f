import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP

extension Forensics {
    static var reportSchemas: [String: JSONValue] {
        let sha: JSONValue = ["type": "string", "pattern": "^[0-9a-f]{64}$", "minLength": 64, "maxLength": 64]
        let day: JSONValue = ["oneOf": [Schema.date, ["type": "null"]]]
        let review: [String: JSONValue] = [
            "id": Schema.uuid, "case_id": Schema.uuid, "kind": Schema.ref("ReviewKind"), "outcome": Schema.ref("ReviewOutcome"),
            "reviewer": Schema.string, "content_sha256": sha, "note": Schema.nullable("string"), "reviewed_at": Schema.dateTime,
        ]
        let item: [String: JSONValue] = [
            "seizure": Schema.string, "kind": Schema.enumeration(["firearm", "part", "ammunition"]), "description": Schema.string,
            "quantity": Schema.integer, "registry_reference": Schema.nullable("string"), "condition_on_receipt": Schema.nullable("string"),
        ]
        let examination: [String: JSONValue] = [
            "id": Schema.uuid, "kind": Schema.ref("ExaminationKind"), "method": Schema.nullable("string"), "examiner": Schema.string,
            "requested_on": day, "started_on": day, "completed_on": day, "result": Schema.nullable("string"),
            "afte_conclusion": ["oneOf": [Schema.ref("AFTEConclusion"), ["type": "null"]]], "elimination_reason": Schema.nullable("string"),
            "verified_by": Schema.nullable("string"), "recovered_serial": Schema.nullable("string"),
            "part_examined": Schema.nullable("string"), "confirmed_firearm": Schema.nullable("string"),
        ]
        let seizure: [String: JSONValue] = [
            "reference": Schema.string, "agency": Schema.string, "seized_on": Schema.date, "country": Schema.ref("Country"),
            "place": Schema.nullable("string"), "context": Schema.ref("SeizureContext"),
        ]
        let step: [String: JSONValue] = [
            "event": Schema.string, "custodian": Schema.string, "recorded_by": Schema.string, "at": Schema.dateTime,
            "seal_number": Schema.nullable("string"), "seal_intact": Schema.nullable("boolean"),
        ]
        let exhibit: [String: JSONValue] = [
            "reference": Schema.string, "barcode": Schema.string, "kind": Schema.string, "description": Schema.string,
            "quantity": Schema.integer, "received_on": Schema.date, "condition_on_receipt": Schema.nullable("string"),
            "seal_number": Schema.nullable("string"), "seal_broken": Schema.boolean,
            "custody": Schema.array(Schema.object(step, required: Array(step.keys))),
        ]
        let content: [String: JSONValue] = [
            "laboratory": Schema.string, "case_reference": Schema.string,
            "submitter": Schema.object(["agency": Schema.string, "officer": Schema.string, "agency_case_number": Schema.nullable("string")],
                                       required: ["agency", "officer", "agency_case_number"]),
            "offence": Schema.string, "incident_on": day, "incident_country": Schema.optionalCountry,
            "incident_place": Schema.nullable("string"), "received_on": Schema.date, "confidentiality": Schema.ref("Confidentiality"),
            "requested_examinations": Schema.array(Schema.ref("ExaminationKind")),
            "seizures": Schema.array(Schema.object(seizure, required: Array(seizure.keys))),
            "items": Schema.array(Schema.object(item, required: Array(item.keys))),
            "exhibits": Schema.array(Schema.object(exhibit, required: Array(exhibit.keys))),
            "examinations": Schema.array(Schema.object(examination, required: Array(examination.keys))),
            "examined_from": day, "examined_to": day,
            "links": Schema.array(Schema.object(["kind": Schema.ref("CaseLinkKind"), "reference": Schema.string, "reason": Schema.string],
                                                required: ["kind", "reference", "reason"])),
            "statement": Schema.string,
        ]
        let draft: [String: JSONValue] = [
            "case_id": Schema.uuid, "status": Schema.enumeration(["draft"]), "number": Schema.nullable("string"), "next_version": Schema.integer,
            "content_sha256": sha, "reviews": Schema.array(Schema.ref("ReportReview")), "content": Schema.ref("ReportContent"),
        ]
        let issued: [String: JSONValue] = [
            "case_id": Schema.uuid, "number": ["type": "string", "pattern": .string(reportReferences.pattern)], "version": Schema.integer,
            "replaces": Schema.nullable("integer"), "amendment_reason": Schema.nullable("string"), "issued_at": Schema.dateTime,
            "authorised_by": Schema.string, "technical_review": Schema.ref("ReportReview"),
            "administrative_review": Schema.ref("ReportReview"), "content_sha256": sha, "content": Schema.ref("ReportContent"),
        ]
        let version: [String: JSONValue] = [
            "number": Schema.string, "version": Schema.integer, "replaces": Schema.nullable("integer"),
            "amendment_reason": Schema.nullable("string"), "issued_at": Schema.dateTime, "authorised_by": Schema.string,
            "json_sha256": sha, "html_sha256": sha,
        ]
        return [
            "ReviewKind": Schema.enumeration(ReviewKind.values),
            "ReviewOutcome": Schema.enumeration(ReviewOutcome.values),
            "NewReportReview": Schema.object(["kind": Schema.ref("ReviewKind"), "outcome": Schema.ref("ReviewOutcome"), "content_sha256": sha,
                                              "note": text(4000, nullable: true)],
                                             required: ["kind", "outcome", "content_sha256"]),
            "ReportReview": Schema.object(review, required: Array(review.keys)),
            "ReportContent": Schema.object(content, required: Array(content.keys)),
            "ReportDraft": Schema.object(draft, required: Array(draft.keys)),
            "NewReportIssue": Schema.object(["content_sha256": sha, "replaces": ["type": ["integer", "null"], "minimum": 1],
                                             "amendment_reason": text(4000, nullable: true)],
                                            required: ["content_sha256"]),
            "IssuedReport": Schema.object(issued, required: Array(issued.keys)),
            "ReportVersion": Schema.object(version, required: Array(version.keys)),
        ]
    }
}
