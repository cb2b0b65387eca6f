import Foundation
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/licences`.
struct LicenceBody: StrictBody {
    var holderID: UUID
    var number: String
    var kind: String
    var issuingAuthority: String
    var validFrom: CalendarDate
    var validUntil: CalendarDate
    var firearmIDs: [UUID]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case number, kind
        case holderID = "holder_id", issuingAuthority = "issuing_authority", validFrom = "valid_from", validUntil = "valid_until"
        case firearmIDs = "firearm_ids"
    }

    func licence() throws(Problem) -> NewLicence {
        NewLicence(holderID: holderID, number: number, kind: try Problem.parse(kind, as: LicenceKind.self, field: "kind"),
                   issuingAuthority: issuingAuthority, validFrom: validFrom, validUntil: validUntil, firearmIDs: firearmIDs ?? [])
    }
}

/// The JSON body of `PATCH /v1/licences/{id}`.
struct LicenceChangeBody: StrictBody {
    var status: String?
    var statusReason: String?
    var validUntil: CalendarDate?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status
        case statusReason = "status_reason", validUntil = "valid_until"
    }

    func changes() throws(Problem) -> LicenceChanges {
        LicenceChanges(status: try status.map { (raw: String) throws(Problem) in try Problem.parse(raw, as: LicenceStatus.self, field: "status") },
                       statusReason: statusReason, validUntil: validUntil)
    }
}
