import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import RegistryAPI

extension Tracing {
    /// Not blank: the server refuses a text of spaces (`isBlank`), so the schema says so.
    static func text(_ max: Int) -> JSONValue { ["type": "string", "minLength": 1, "maxLength": .int(max), "pattern": "\\S"] }
    static let optionalDate: JSONValue = ["oneOf": [Schema.date, ["type": "null"]]]

    /// `schema`, or null (unless it takes null already).
    static func nullable(_ schema: JSONValue) -> JSONValue {
        if case .array(let types)? = schema["type"], types.contains(.string("null")) { return schema }
        if case .array(let options)? = schema["oneOf"], options.contains(["type": "null"]) { return schema }
        return ["anyOf": [schema, ["type": "null"]]]
    }

    static var traceSchemas: [String: JSONValue] {
        let firearm: [String: JSONValue] = [
            "make": text(100), "model": text(100), "type": Schema.enumeration(FirearmType.allCases.map(\.rawValue)), "calibre": text(50),
            "serial": text(100), "serial_part": Schema.enumeration(MarkingPart.allCases.map(\.rawValue)),
            "marking_condition": Schema.enumeration(MarkingCondition.allCases.map(\.rawValue)), "import_markings": text(300),
            "other_markings": text(1000), "country_of_manufacture": Schema.optionalCountry, "description": text(2000),
            "photo_references": ["type": "array", "items": text(200), "maxItems": .int(TraceLimits.photos)],
        ]
        let person: [String: JSONValue] = ["name": text(200), "date_of_birth": optionalDate, "nationality": Schema.optionalCountry,
                                           "id_number": text(100)]
        let circumstances: [String: JSONValue] = [
            "recovered_on": optionalDate, "recovery_place": text(300), "recovery_country": Schema.optionalCountry, "crime_type": text(200),
            "possessor": Schema.ref("TracePerson"),
            "associates": ["type": "array", "items": Schema.ref("TracePerson"), "maxItems": .int(TraceLimits.associates)],
        ]
        let addressee: [String: JSONValue] = ["kind": Schema.ref("AddresseeKind"), "country": Schema.country, "name": text(200)]
        var fields: [String: JSONValue] = [
            "addressee": Schema.ref("TraceAddressee"), "channel": Schema.ref("TraceChannel"), "requesting_officer": text(200),
            "requesting_agency": text(200), "firearm": Schema.ref("FoundFirearm"), "circumstances": Schema.ref("TraceCircumstances"),
            "legal_basis": text(2000), "illicit_nature": text(2000), "intended_use": text(2000), "urgency": Schema.ref("TraceUrgency"),
            "deadline": optionalDate, "confidentiality": Schema.ref("Confidentiality"), "restrictions": text(2000),
            "seizure_id": Schema.uuid, "case_id": Schema.uuid, "firearm_id": Schema.uuid,
        ]
        var bulk = fields
        bulk["firearm"] = nil
        bulk["firearm_id"] = nil
        fields["parent_id"] = Schema.uuid
        fields["exhibit_id"] = Schema.uuid
        let incoming: [String: JSONValue] = [
            "requesting_state": Schema.country, "channel": Schema.ref("TraceChannel"), "foreign_reference": text(100),
            "requesting_officer": text(200), "requesting_agency": text(200), "received_on": optionalDate,
            "firearm": Schema.ref("FoundFirearm"), "circumstances": Schema.ref("TraceCircumstances"), "legal_basis": text(2000),
            "illicit_nature": text(2000), "intended_use": text(2000), "urgency": Schema.ref("TraceUrgency"), "deadline": optionalDate,
            "confidentiality": Schema.ref("Confidentiality"), "restrictions": text(2000),
        ]
        let step: JSONValue = Schema.object(["by": Schema.string, "at": Schema.dateTime], required: ["by", "at"])
        var stored = Schema.asStored(fields)
        for (key, value) in Schema.asStored(incoming) where stored[key] == nil { stored[key] = value }
        stored["requesting_state"] = Schema.optionalCountry
        stored["addressee"] = ["oneOf": [Schema.ref("TraceAddressee"), ["type": "null"]]]
        stored["firearm"] = ["oneOf": [Schema.ref("FoundFirearm"), ["type": "null"]]]
        stored["circumstances"] = ["oneOf": [Schema.ref("TraceCircumstances"), ["type": "null"]]]
        for key in ["seizure_id", "case_id", "firearm_id", "parent_id", "exhibit_id"] { stored[key] = Schema.nullable("string", format: "uuid") }
        for key in ["sent", "acknowledged", "answered", "closed"] { stored[key] = ["oneOf": [step, ["type": "null"]]] }
        stored["id"] = Schema.uuid
        stored["reference"] = ["type": "string", "pattern": .string(references.pattern)]
        stored["direction"] = Schema.ref("TraceDirection")
        stored["status"] = Schema.ref("TraceStatus")
        stored["serial_normalized"] = Schema.nullable("string")
        stored["personal_data"] = Schema.boolean
        let review = Schema.object(["approved_by": Schema.string, "note": Schema.nullable("string"), "recorded_by": Schema.string,
                                    "recorded_at": Schema.dateTime], required: ["approved_by", "note", "recorded_by", "recorded_at"])
        stored["legal_review"] = ["oneOf": [review, ["type": "null"]]]
        stored["created_by"] = Schema.string
        stored["version"] = Schema.integer
        stored["created_at"] = Schema.dateTime
        stored["updated_at"] = Schema.dateTime
        // A record names every field: those that may be empty are null then.
        let alwaysSet: Set<String> = ["id", "reference", "direction", "status", "channel", "urgency", "confidentiality", "personal_data",
                                      "created_by", "version", "created_at", "updated_at"]
        for (key, schema) in stored where !alwaysSet.contains(key) { stored[key] = nullable(schema) }
        var record = stored
        record["answer"] = ["oneOf": [Schema.ref("TraceAnswer"), ["type": "null"]]]
        record["time_to_crime"] = ["oneOf": [Schema.object([
            "days_from_first_retail_sale": Schema.nullable("integer"), "days_since_last_lawful_import": Schema.nullable("integer"),
            "threshold_years": Schema.integer, "under_threshold": Schema.boolean, "under_one_year": Schema.boolean,
            "unavailable": Schema.nullable("string")],
            required: ["days_from_first_retail_sale", "days_since_last_lawful_import", "threshold_years", "under_threshold", "under_one_year",
                       "unavailable"]),
            ["type": "null"]]]
        record["response_days"] = Schema.nullable("integer")
        let transfer: [String: JSONValue] = ["on": Schema.date, "kind": Schema.ref("TransferStepKind"), "from": text(200), "to": text(200),
                                             "country": Schema.country]
        let answer: [String: JSONValue] = [
            "outcome": Schema.ref("AnswerOutcome"), "not_traced_reason": Schema.ref("NotTracedReason"), "reason": text(2000),
            "transfers": ["type": "array", "items": Schema.object(transfer, required: ["on", "kind", "country"]), "maxItems": .int(TraceLimits.transfers)],
            "last_lawful_holder": Schema.object(["name": text(200), "country": Schema.country, "since": optionalDate], required: ["name", "country"]),
            "diversion_established": Schema.boolean, "diversion_how": text(2000), "registry_status": text(50),
        ]
        let message: [String: JSONValue] = [
            "id": Schema.uuid, "trace_id": Schema.uuid, "kind": Schema.ref("TraceMessageKind"), "direction": Schema.ref("TraceMessageDirection"),
            "occurred_on": Schema.date, "body": Schema.nullable("string"), "answer": ["oneOf": [Schema.ref("TraceAnswer"), ["type": "null"]]],
            "recorded_by": Schema.string, "recorded_at": Schema.dateTime, "firearm_id": Schema.nullable("string", format: "uuid"),
            "firearm_version": Schema.nullable("integer"), "legal_review": ["oneOf": [review, ["type": "null"]]],
        ]
        let match: [String: JSONValue] = [
            "id": Schema.uuid, "trace_id": Schema.uuid, "firearm_id": Schema.nullable("string", format: "uuid"),
            "component_id": Schema.nullable("string", format: "uuid"), "reference": Schema.string, "part": Schema.string,
            "serial_normalized": Schema.nullable("string"), "match": Schema.enumeration(["exact", "confusable", "pattern", "fuzzy"]),
            "distance": ["type": ["integer", "null"], "minimum": 1, "maximum": 2], "score": ["type": "integer", "minimum": 0, "maximum": 100],
            "reasons": Schema.array(Schema.string),
        ]
        return [
            "TraceStatus": Schema.enumeration(TraceStatus.values),
            "TraceDirection": Schema.enumeration(TraceDirection.values),
            "TraceChannel": Schema.enumeration(TraceChannel.values),
            "TraceUrgency": Schema.enumeration(TraceUrgency.values),
            "AddresseeKind": Schema.enumeration(AddresseeKind.values),
            "TraceMessageKind": Schema.enumeration(MessageKind.values),
            "TraceMessageDirection": Schema.enumeration(MessageDirection.values),
            "AnswerOutcome": Schema.enumeration(AnswerOutcome.values),
            "NotTracedReason": Schema.enumeration(NotTracedReason.values),
            "TransferStepKind": Schema.enumeration(TransferStepKind.values),
            "TraceAddressee": Schema.object(addressee, required: ["kind", "country"]),
            "FoundFirearm": Schema.object(firearm),
            "TracePerson": Schema.object(person, required: ["name"]),
            "TraceCircumstances": Schema.object(circumstances),
            "NewTrace": Schema.object(fields, required: ["addressee", "channel"]),
            "TraceChanges": Schema.changes(fields),
            "NewBulkTraces": Schema.object(bulk.merging(["seizure_id": Schema.uuid]) { _, new in new }, required: ["seizure_id", "channel"]),
            "NewLegalReview": Schema.object(["note": text(2000), "firearm_id": Schema.uuid]),
            "NewIncomingTrace": Schema.object(incoming, required: ["requesting_state", "channel", "firearm"]),
            "Trace": Schema.object(record, required: Array(record.keys)),
            "TracePage": Schema.page(of: Schema.ref("TraceSummary")),
            "TraceSummary": Schema.object(stored, required: Array(stored.keys)),
            "TraceVersion": Schema.version(of: Schema.ref("TraceSummary")),
            "TraceAnswer": Schema.object(answer, required: ["outcome"]),
            "NewTraceMessage": Schema.object(["kind": Schema.ref("TraceMessageKind"), "direction": Schema.ref("TraceMessageDirection"),
                                              "occurred_on": optionalDate, "body": text(8000), "answer": Schema.ref("TraceAnswer"),
                                              "firearm_id": Schema.uuid],
                                             required: ["kind", "direction"]),
            "TraceMessage": Schema.object(message, required: Array(message.keys)),
            "TraceMatch": Schema.object(match, required: Array(match.keys)),
            "IncomingTrace": Schema.object(["trace": Schema.ref("Trace"), "matches": Schema.array(Schema.ref("TraceMatch"))],
                                           required: ["trace", "matches"]),
            "TraceDocument": Schema.object(["trace": Schema.ref("Trace"), "parent_reference": Schema.nullable("string"),
                                            "messages": Schema.array(Schema.ref("TraceMessage")), "generated_at": Schema.dateTime,
                                            "generated_by": Schema.string, "personal_data_withheld": Schema.boolean],
                                           required: ["trace", "parent_reference", "messages", "generated_at", "generated_by",
                                                      "personal_data_withheld"]),
        ]
    }
}
