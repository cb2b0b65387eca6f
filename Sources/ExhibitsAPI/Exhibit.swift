import ForensicsAPI
import Foundation
import IFCCore

/// What an exhibit is.
public enum ExhibitKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case firearm
    case cartridgeCase = "cartridge_case"
    case bullet
    case bulletFragment = "bullet_fragment"
    case liveAmmunition = "live_ammunition"
    case magazine
    case partOrComponent = "part_or_component"
    case other
}

/// How a derived exhibit came from its parent.
public enum Derivation: String, Sendable, Codable, CaseIterable, APIEnum {
    /// Fired from the parent firearm in the lab.
    case testFire = "test_fire"
    /// Taken from the parent (a magazine from a firearm, one round from a box).
    case subItem = "sub_item"
}

public enum TwistDirection: String, Sendable, Codable, CaseIterable, APIEnum {
    case left, right
}

/// How a firearm or part was made. `privately_made` includes 3D-printed items.
public enum ManufactureOrigin: String, Sendable, Codable, CaseIterable, APIEnum {
    case industrial, craft
    case privatelyMade = "privately_made"
    case converted
}

/// Who or what holds an exhibit: a user of this system, a storage location, or a party outside
/// the system (a court, the submitting police unit).
public enum CustodianKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case user, location, outside
}

public enum ExhibitStatus: String, Sendable, Codable, CaseIterable, APIEnum {
    case held
    case inTransit = "in_transit"
    case disposed
}

public enum DispositionKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case returnedToOwner = "returned_to_owner"
    case destroyed, retained
    case transferredToCourt = "transferred_to_court"
    /// Forfeited to the state by a court order (issue 25; the registry records `confiscated`).
    case confiscated
}

/// The descriptive fields of an exhibit, as the examiner records them on intake.
public struct ExhibitFields: Sendable, Equatable {
    public var barcode: String
    public var kind: ExhibitKind
    public var caseID: UUID
    public var seizureID: UUID?
    public var parentID: UUID?
    public var derivation: Derivation?
    public var description: String
    public var quantity: Int
    public var calibre: String?
    public var sealNumber: String?
    public var conditionOnReceipt: String?
    public var storageLocation: String?
    public var headstamp: String?
    public var lot: String?
    public var landsAndGrooves: Int?
    public var twistDirection: TwistDirection?
    public var manufactureOrigin: ManufactureOrigin?
    public var firearmID: UUID?
    public var receivedOn: CalendarDate

    public init(barcode: String, kind: ExhibitKind, caseID: UUID, seizureID: UUID? = nil, parentID: UUID? = nil,
                derivation: Derivation? = nil, description: String, quantity: Int, calibre: String? = nil,
                sealNumber: String? = nil, conditionOnReceipt: String? = nil, storageLocation: String? = nil,
                headstamp: String? = nil, lot: String? = nil, landsAndGrooves: Int? = nil, twistDirection: TwistDirection? = nil,
                manufactureOrigin: ManufactureOrigin? = nil, firearmID: UUID? = nil, receivedOn: CalendarDate) {
        self.barcode = barcode
        self.kind = kind
        self.caseID = caseID
        self.seizureID = seizureID
        self.parentID = parentID
        self.derivation = derivation
        self.description = description
        self.quantity = quantity
        self.calibre = calibre
        self.sealNumber = sealNumber
        self.conditionOnReceipt = conditionOnReceipt
        self.storageLocation = storageLocation
        self.headstamp = headstamp
        self.lot = lot
        self.landsAndGrooves = landsAndGrooves
        self.twistDirection = twistDirection
        self.manufactureOrigin = manufactureOrigin
        self.firearmID = firearmID
        self.receivedOn = receivedOn
    }
}

/// An exhibit (`EX-2026-000123`) as the API shows it.
public struct Exhibit: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var barcode: String
    public var kind: ExhibitKind
    public var caseID: UUID
    public var seizureID: UUID?
    public var parentID: UUID?
    public var derivation: Derivation?
    public var description: String
    public var quantity: Int
    public var calibre: String?
    public var sealNumber: String?
    public var conditionOnReceipt: String?
    public var storageLocation: String?
    public var headstamp: String?
    public var lot: String?
    public var landsAndGrooves: Int?
    public var twistDirection: TwistDirection?
    public var manufactureOrigin: ManufactureOrigin?
    public var firearmID: UUID?
    public var receivedOn: CalendarDate
    public var custodianKind: CustodianKind
    public var custodian: String
    public var status: ExhibitStatus
    /// A receipt found the seal broken: the exhibit's integrity needs review.
    public var sealBroken: Bool
    public var disposition: DispositionKind?
    public var dispositionAuthority: String?
    public var disposedOn: CalendarDate?
    public var createdBy: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, reference: String, barcode: String, kind: ExhibitKind, caseID: UUID, seizureID: UUID? = nil,
                parentID: UUID? = nil, derivation: Derivation? = nil, description: String, quantity: Int, calibre: String? = nil,
                sealNumber: String? = nil, conditionOnReceipt: String? = nil, storageLocation: String? = nil,
                headstamp: String? = nil, lot: String? = nil, landsAndGrooves: Int? = nil, twistDirection: TwistDirection? = nil,
                manufactureOrigin: ManufactureOrigin? = nil, firearmID: UUID? = nil, receivedOn: CalendarDate,
                custodianKind: CustodianKind, custodian: String, status: ExhibitStatus, sealBroken: Bool,
                disposition: DispositionKind? = nil, dispositionAuthority: String? = nil, disposedOn: CalendarDate? = nil,
                createdBy: String, version: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.reference = reference
        self.barcode = barcode
        self.kind = kind
        self.caseID = caseID
        self.seizureID = seizureID
        self.parentID = parentID
        self.derivation = derivation
        self.description = description
        self.quantity = quantity
        self.calibre = calibre
        self.sealNumber = sealNumber
        self.conditionOnReceipt = conditionOnReceipt
        self.storageLocation = storageLocation
        self.headstamp = headstamp
        self.lot = lot
        self.landsAndGrooves = landsAndGrooves
        self.twistDirection = twistDirection
        self.manufactureOrigin = manufactureOrigin
        self.firearmID = firearmID
        self.receivedOn = receivedOn
        self.custodianKind = custodianKind
        self.custodian = custodian
        self.status = status
        self.sealBroken = sealBroken
        self.disposition = disposition
        self.dispositionAuthority = dispositionAuthority
        self.disposedOn = disposedOn
        self.createdBy = createdBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, barcode, kind, derivation, description, quantity, calibre, headstamp, lot, custodian, status, disposition, version
        case caseID = "case_id", seizureID = "seizure_id", parentID = "parent_id", sealNumber = "seal_number"
        case conditionOnReceipt = "condition_on_receipt", storageLocation = "storage_location", landsAndGrooves = "lands_and_grooves"
        case twistDirection = "twist_direction", manufactureOrigin = "manufacture_origin", firearmID = "firearm_id"
        case receivedOn = "received_on", custodianKind = "custodian_kind", sealBroken = "seal_broken"
        case dispositionAuthority = "disposition_authority", disposedOn = "disposed_on", createdBy = "created_by"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public var fields: ExhibitFields {
        ExhibitFields(barcode: barcode, kind: kind, caseID: caseID, seizureID: seizureID, parentID: parentID, derivation: derivation,
                      description: description, quantity: quantity, calibre: calibre, sealNumber: sealNumber,
                      conditionOnReceipt: conditionOnReceipt, storageLocation: storageLocation, headstamp: headstamp, lot: lot,
                      landsAndGrooves: landsAndGrooves, twistDirection: twistDirection, manufactureOrigin: manufactureOrigin,
                      firearmID: firearmID, receivedOn: receivedOn)
    }
}

/// An exhibit with the exhibits derived from it, recursively.
public struct ExhibitNode: Sendable, Encodable {
    public var exhibit: Exhibit
    public var derived: [ExhibitNode]

    public init(exhibit: Exhibit, derived: [ExhibitNode]) {
        self.exhibit = exhibit
        self.derived = derived
    }
}

/// A case's exhibits as the lab sees them: whether any seal on them was found broken.
public struct CaseExhibits: Sendable, Encodable {
    public var caseID: UUID
    public var caseReference: String
    public var brokenSeal: Bool
    public var exhibits: [Exhibit]

    public init(caseID: UUID, caseReference: String, brokenSeal: Bool, exhibits: [Exhibit]) {
        self.caseID = caseID
        self.caseReference = caseReference
        self.brokenSeal = brokenSeal
        self.exhibits = exhibits
    }

    enum CodingKeys: String, CodingKey {
        case exhibits
        case caseID = "case_id", caseReference = "case_reference", brokenSeal = "broken_seal"
    }
}
