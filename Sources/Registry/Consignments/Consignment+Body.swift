import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

/// The JSON body of `POST /v1/consignments`.
struct ConsignmentBody: StrictBody {
    var direction: String
    var shippedOn: CalendarDate
    var counterpartCountry: Country
    var crossBorder: CrossBorder
    var quantity: Int?
    var firearmIDs: [UUID]
    var notes: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case direction, quantity, notes
        case shippedOn = "shipped_on", counterpartCountry = "counterpart_country", crossBorder = "cross_border", firearmIDs = "firearm_ids"
    }

    func consignment() throws(Problem) -> NewConsignment {
        NewConsignment(direction: try Problem.parse(direction, as: TransferKind.self, field: "direction"), shippedOn: shippedOn,
                       counterpartCountry: counterpartCountry, crossBorder: crossBorder, quantity: quantity, firearmIDs: firearmIDs, notes: notes)
    }
}

/// The JSON body of `POST /v1/consignments/{id}/delivery`.
struct DeliveryBody: StrictBody {
    var verifiedOn: CalendarDate
    var document: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case document
        case verifiedOn = "verified_on"
    }
}
