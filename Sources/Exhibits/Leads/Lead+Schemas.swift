import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP

extension Exhibits {
    static var leadSchemas: [String: JSONValue] {
        let nullableText = Schema.nullable("string")
        let acquisition: [String: JSONValue] = [
            "id": Schema.uuid, "exhibit_id": Schema.uuid, "system": Schema.ref("ImagingSystem"), "network": Schema.ref("ImagingNetwork"),
            "acquired_on": Schema.date, "system_reference": Schema.string, "created_by": Schema.string, "created_at": Schema.dateTime,
        ]
        let lead: [String: JSONValue] = [
            "id": Schema.uuid, "exhibit_a": Schema.uuid, "exhibit_b": Schema.uuid, "source_system": Schema.ref("ImagingSystem"),
            "source_reference": Schema.string, "score": Schema.nullable("number"), "status": Schema.ref("LeadStatus"),
            "examination_id": Schema.nullable("string", format: "uuid"), "decided_by": nullableText,
            "decided_at": Schema.nullable("string", format: "date-time"), "decision_note": nullableText,
            "flagged_for_review": Schema.boolean, "withdrawn_by": nullableText, "withdrawn_at": Schema.nullable("string", format: "date-time"),
            "withdrawal_reason": nullableText, "created_by": Schema.string, "created_at": Schema.dateTime, "version": Schema.integer,
            "recovery_to_acquisition_days": Schema.nullable("integer"), "acquisition_to_lead_days": Schema.nullable("integer"),
            "lead_to_decision_days": ["type": "number"], "decision_id": Schema.nullable("string", format: "uuid"),
        ]
        let decision: [String: JSONValue] = [
            "id": Schema.uuid, "lead_id": Schema.uuid, "decision": Schema.ref("LeadDecision"), "examination_id": Schema.nullable("string", format: "uuid"),
            "note": nullableText, "flagged_for_review": Schema.boolean, "replaces_id": Schema.nullable("string", format: "uuid"),
            "reason": nullableText, "decided_by": Schema.string, "decided_at": Schema.dateTime, "current": Schema.boolean,
        ]
        let clusterCase = Schema.object(["id": Schema.uuid, "reference": nullableText], required: ["id", "reference"])
        let firearm = Schema.object(["exhibit_id": Schema.uuid, "exhibit_reference": Schema.string, "firearm_id": Schema.nullable("string", format: "uuid")],
                                    required: ["exhibit_id", "exhibit_reference", "firearm_id"])
        let cluster: [String: JSONValue] = [
            "case_id": Schema.uuid, "cases": Schema.array(clusterCase), "exhibits": Schema.array(Schema.ref("Exhibit")),
            "hits": Schema.array(Schema.ref("Lead")), "firearms": Schema.array(firearm), "flagged_eliminations": Schema.array(Schema.ref("Lead")),
            "withheld_cases": ["type": "integer", "minimum": 0],
        ]
        return [
            "ImagingSystem": Schema.enumeration(ImagingSystem.values),
            "ImagingNetwork": Schema.enumeration(ImagingNetwork.values),
            "LeadStatus": Schema.enumeration(LeadStatus.values),
            "LeadDecision": Schema.enumeration(LeadDecision.values),
            "NewAcquisition": Schema.object(["system": Schema.ref("ImagingSystem"), "network": Schema.ref("ImagingNetwork"),
                                             "acquired_on": Schema.date, "system_reference": text(100)],
                                            required: ["system", "network", "acquired_on", "system_reference"]),
            "Acquisition": Schema.object(acquisition, required: Array(acquisition.keys)),
            "NewLead": Schema.object(["exhibit_a": Schema.uuid, "exhibit_b": Schema.uuid, "source_system": Schema.ref("ImagingSystem"),
                                      "source_reference": text(100),
                                      "score": ["type": ["number", "null"], "minimum": 0, "maximum": 1_000_000]],
                                     required: ["exhibit_a", "exhibit_b", "source_system", "source_reference"]),
            "LeadDecisionBody": Schema.object(["decision": Schema.ref("LeadDecision"), "examination_id": Schema.nullable("string", format: "uuid"),
                                               "note": text(2000, nullable: true),
                                               "replaces": Schema.nullable("string", format: "uuid"), "reason": text(2000, nullable: true)],
                                              required: ["decision"]),
            "LeadDecisionRecord": Schema.object(decision, required: Array(decision.keys)),
            "HitWithdrawal": Schema.object(["reason": text(2000)], required: ["reason"]),
            "Lead": Schema.object(lead, required: Array(lead.keys)),
            "LeadPage": Schema.page(of: Schema.ref("Lead")),
            "Cluster": Schema.object(cluster, required: Array(cluster.keys)),
        ]
    }
}
