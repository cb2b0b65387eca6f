import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

/// The JSON body of `POST /v1/licences`.
struct LicenceBody: StrictBody {
    var holderID: UUID
    var number: String
    var kind: String
    var issuingAuthority: String
    var validFrom: CalendarDate
    var validUntil: CalendarDate
    var firearmIDs: [UUID]?
    var conditions: [ConditionBody]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case number, kind, conditions
        case holderID = "holder_id", issuingAuthority = "issuing_authority", validFrom = "valid_from", validUntil = "valid_until"
        case firearmIDs = "firearm_ids"
    }

    func licence() throws(Problem) -> NewLicence {
        NewLicence(holderID: holderID, number: number, kind: try Problem.parse(kind, as: LicenceKind.self, field: "kind"),
                   issuingAuthority: issuingAuthority, validFrom: validFrom, validUntil: validUntil, firearmIDs: firearmIDs ?? [],
                   conditions: try ConditionBody.conditions(conditions ?? []))
    }
}

/// One condition in a body: its kind checked with the other fields.
struct ConditionBody: Decodable, Sendable {
    var kind: String
    var text: String

    static func conditions(_ bodies: [ConditionBody]) throws(Problem) -> [LicenceCondition] {
        var conditions: [LicenceCondition] = []
        for (index, body) in bodies.enumerated() {
            guard let kind = LicenceCondition.Kind(rawValue: body.kind) else {
                throw Problem.invalid("conditions[\(index)].kind",
                                      "must be one of \(LicenceCondition.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            conditions.append(LicenceCondition(kind: kind, text: body.text))
        }
        return conditions
    }
}

/// The JSON body of `PATCH /v1/licences/{id}`.
struct LicenceChangeBody: StrictBody {
    var status: String?
    var statusReason: String?
    var validUntil: CalendarDate?
    var conditions: [ConditionBody]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status, conditions
        case statusReason = "status_reason", validUntil = "valid_until"
    }

    func changes() throws(Problem) -> LicenceChanges {
        LicenceChanges(status: try status.map { (raw: String) throws(Problem) in try Problem.parse(raw, as: LicenceStatus.self, field: "status") },
                       statusReason: statusReason, validUntil: validUntil,
                       conditions: try conditions.map { (bodies: [ConditionBody]) throws(Problem) in try ConditionBody.conditions(bodies) })
    }
}
