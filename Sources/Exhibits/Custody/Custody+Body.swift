import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/exhibits/{id}/transfers`: exactly one of `to_user`, `to_location`, `to_outside`.
struct TransferBody: StrictBody {
    var toUser: String?
    var toLocation: String?
    var toOutside: String?
    var purpose: String
    var sealNumber: String?
    var sealIntact: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case purpose
        case toUser = "to_user", toLocation = "to_location", toOutside = "to_outside", sealNumber = "seal_number", sealIntact = "seal_intact"
    }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(purpose, "purpose", max: 500)
        checks.text(sealNumber, "seal_number", max: 100)
        checks.text(toLocation, "to_location", max: 200)
        checks.text(toOutside, "to_outside", max: 200)
        if let toUser, Username(toUser) == nil { checks.add("to_user", "is not a username (3 to 64 letters, digits, '.', '_', '-')") }
        let given = [toUser, toLocation, toOutside].compactMap { $0 }.count
        if given != 1 { checks.add("to_user", "name exactly one receiver: to_user, to_location or to_outside") }
        try checks.throwIfAny()
    }

    var transfer: NewTransfer {
        let to: Party = if let toUser { Party(kind: .user, name: toUser) }
            else if let toLocation { Party(kind: .location, name: toLocation) }
            else { Party(kind: .outside, name: toOutside ?? "") }
        return NewTransfer(to: to, purpose: purpose, sealNumber: sealNumber, sealIntact: sealIntact)
    }
}

/// The JSON body of `POST /v1/exhibits/{id}/transfers/{tid}/receipt`.
struct ReceiptBody: StrictBody {
    var sealIntact: Bool
    var condition: String?
    var remarks: String?
    var receiptSHA256: String?
    var receiptReference: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case condition, remarks
        case sealIntact = "seal_intact", receiptSHA256 = "receipt_sha256", receiptReference = "receipt_reference"
    }

    static let sha256Pattern = "^[0-9a-f]{64}$"

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(condition, "condition", max: 1000)
        checks.text(remarks, "remarks", max: 2000)
        checks.text(receiptReference, "receipt_reference", max: 200)
        if let receiptSHA256, receiptSHA256.range(of: Self.sha256Pattern, options: .regularExpression) == nil {
            checks.add("receipt_sha256", "must be 64 lower-case hexadecimal digits")
        }
        try checks.throwIfAny()
    }

    var receipt: NewReceipt {
        NewReceipt(sealIntact: sealIntact, condition: condition, remarks: remarks, receiptSHA256: receiptSHA256, receiptReference: receiptReference)
    }
}

/// The JSON body of `POST /v1/exhibits/{id}/transfers/{tid}/cancel`.
struct CancelBody: StrictBody {
    var reason: String

    enum CodingKeys: String, CodingKey, CaseIterable { case reason }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(reason, "reason", max: 1000)
        try checks.throwIfAny()
    }
}

/// The JSON body of `POST /v1/exhibits/{id}/seals`.
struct ResealBody: StrictBody {
    var sealNumber: String
    var reason: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case reason
        case sealNumber = "seal_number"
    }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(sealNumber, "seal_number", max: 100)
        checks.text(reason, "reason", max: 1000)
        try checks.throwIfAny()
    }
}

/// The JSON body of `POST /v1/exhibits/{id}/disposition`.
struct DispositionBody: StrictBody {
    var disposition: DispositionKind
    var authority: String
    var date: CalendarDate
    var remarks: String?
    var certificateNumber: String?
    var certificateStandard: String?
    var witnesses: [String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case disposition, authority, date, remarks, witnesses
        case certificateNumber = "certificate_number", certificateStandard = "certificate_standard"
    }

    func validate() throws(Problem) {
        var checks = FieldRules()
        checks.text(authority, "authority", max: 300)
        checks.text(remarks, "remarks", max: 2000)
        checks.text(certificateNumber, "certificate_number", max: 100)
        checks.text(certificateStandard, "certificate_standard", max: 200)
        for (i, witness) in (witnesses ?? []).enumerated() { checks.text(witness, "witnesses[\(i)]", max: 100) }
        if (witnesses ?? []).count > 2 { checks.add("witnesses", "must list at most 2") }
        try checks.throwIfAny()
    }

    var value: NewDisposition {
        NewDisposition(kind: disposition, authority: authority, date: date, remarks: remarks, certificateNumber: certificateNumber,
                       certificateStandard: certificateStandard, witnesses: witnesses ?? [])
    }
}
