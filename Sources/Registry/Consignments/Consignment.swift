import Foundation
import IFCCore
import RegistryAPI

/// Many firearms exported or imported in one transfer, under one pair of licences (UN Firearms
/// Protocol Art 10): each firearm gets its transfer event; the consignment records the quantity
/// and, when the importing state confirms receipt, the delivery verification.
public struct Consignment: Sendable, Codable {
    public var id: UUID
    public var reference: String
    public var direction: TransferKind
    public var shippedOn: CalendarDate
    public var counterpartCountry: Country
    public var crossBorder: CrossBorder
    public var quantity: Int
    public var firearmIDs: [UUID]
    public var deliveryVerifiedOn: CalendarDate?
    public var deliveryDocument: String?
    public var notes: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reference, direction, quantity, notes, version
        case shippedOn = "shipped_on", counterpartCountry = "counterpart_country", crossBorder = "cross_border"
        case firearmIDs = "firearm_ids", deliveryVerifiedOn = "delivery_verified_on", deliveryDocument = "delivery_document"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

public struct NewConsignment: Sendable {
    public var direction: TransferKind
    public var shippedOn: CalendarDate
    public var counterpartCountry: Country
    public var crossBorder: CrossBorder
    /// Items in the consignment; at least the firearms named (parts may travel with them).
    public var quantity: Int?
    public var firearmIDs: [UUID]
    public var notes: String?

    public init(direction: TransferKind, shippedOn: CalendarDate, counterpartCountry: Country, crossBorder: CrossBorder,
                quantity: Int? = nil, firearmIDs: [UUID], notes: String? = nil) {
        self.direction = direction
        self.shippedOn = shippedOn
        self.counterpartCountry = counterpartCountry
        self.crossBorder = crossBorder
        self.quantity = quantity
        self.firearmIDs = firearmIDs
        self.notes = notes
    }
}

/// The importing state's confirmation that the shipment arrived (Firearms Protocol Art 10(4)).
public struct DeliveryVerification: Sendable {
    public var verifiedOn: CalendarDate
    public var document: String

    public init(verifiedOn: CalendarDate, document: String) {
        self.verifiedOn = verifiedOn
        self.document = document
    }
}
