import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP

/// What a PATCH of a case changes: the submitter's fields, and the status the case moves to.
public struct CaseRevision: Sendable, Equatable {
    public var fields: CaseFields
    public var status: CaseStatus
}

/// Every field of a case, said once: the PATCH body, the changed-field list of a correction and
/// the API document's schemas come from this table.
extension CaseRevision: RecordFields {
    public static let table = FieldTable<CaseRevision>([
        .init("submitting_agency", \.fields.submittingAgency, schema: Forensics.text(200)),
        .init("officer", \.fields.officer, schema: Forensics.text(200)),
        .init("agency_case_number", \.fields.agencyCaseNumber, schema: Forensics.text(100, nullable: true)),
        .init("offence", \.fields.offence, schema: Forensics.text(300)),
        .init("incident_on", \.fields.incidentOn, schema: ["oneOf": [Schema.date, ["type": "null"]]]),
        .init("incident_country", \.fields.incidentCountry, schema: Schema.optionalCountry),
        .init("incident_place", \.fields.incidentPlace, schema: Forensics.text(300, nullable: true)),
        .init("received_on", \.fields.receivedOn, schema: Schema.date),
        .init("confidentiality", \.fields.confidentiality, schema: Schema.ref("Confidentiality")),
        .init("requested_examinations", \.fields.requestedExaminations,
              schema: ["type": "array", "items": Schema.ref("ExaminationKind"), "uniqueItems": true]),
        .init("seizure_ids", \.fields.seizureIDs,
              schema: ["type": "array", "items": Schema.uuid, "uniqueItems": true, "maxItems": .int(CaseLimits.seizures)]),
        .init("notes", \.fields.notes, schema: ["type": ["string", "null"], "maxLength": 4000], text: .note),
        .init("status", \.status, schema: Schema.ref("CaseStatus")),
    ])
}

extension ForensicCase {
    var revision: CaseRevision { CaseRevision(fields: fields, status: status) }
}
