import Foundation
import ExhibitsAPI
import IFCCore

enum ExhibitLimits {
    static let quantity = 1...100_000
    static let landsAndGrooves = 1...40
}

extension ExhibitKind {
    /// Headstamp and lot describe ammunition and cartridge cases.
    var hasHeadstamp: Bool { self == .liveAmmunition || self == .cartridgeCase }
    /// Rifling marks (lands and grooves, twist) are read on bullets.
    var hasRifling: Bool { self == .bullet || self == .bulletFragment }
    /// Manufacture origin describes firearms and their parts.
    var hasOrigin: Bool { self == .firearm || self == .partOrComponent }
    /// What imaging correlates: fired cartridge cases and bullets.
    var isBallistic: Bool { self == .cartridgeCase || self == .bullet || self == .bulletFragment }
}

extension ExhibitFields {
    /// Every rule that needs no database, each failure naming its field: lengths, ranges, dates,
    /// and the kind-specific fields a kind does not take.
    func problems(today: CalendarDate) -> [Problem.FieldError] {
        var rules = FieldRules()
        rules.text(barcode, "barcode", max: 100)
        rules.text(description, "description", max: 2000)
        rules.text(calibre, "calibre", max: 50)
        rules.text(sealNumber, "seal_number", max: 100)
        rules.text(conditionOnReceipt, "condition_on_receipt", max: 1000)
        rules.text(storageLocation, "storage_location", max: 200)
        rules.text(headstamp, "headstamp", max: 100)
        rules.text(lot, "lot", max: 100)
        if !ExhibitLimits.quantity.contains(quantity) { rules.add("quantity", "must be from 1 to \(ExhibitLimits.quantity.upperBound)") }
        if let landsAndGrooves, !ExhibitLimits.landsAndGrooves.contains(landsAndGrooves) {
            rules.add("lands_and_grooves", "must be from 1 to \(ExhibitLimits.landsAndGrooves.upperBound)")
        }
        rules.notFuture(receivedOn, "received_on", today: today)
        let kindName = kind.rawValue
        if !kind.hasHeadstamp {
            if headstamp != nil { rules.add("headstamp", "is recorded on live ammunition and cartridge cases, not on a \(kindName)") }
            if lot != nil { rules.add("lot", "is recorded on live ammunition and cartridge cases, not on a \(kindName)") }
        }
        if !kind.hasRifling {
            if landsAndGrooves != nil { rules.add("lands_and_grooves", "is recorded on bullets and fragments, not on a \(kindName)") }
            if twistDirection != nil { rules.add("twist_direction", "is recorded on bullets and fragments, not on a \(kindName)") }
        }
        if !kind.hasOrigin && manufactureOrigin != nil {
            rules.add("manufacture_origin", "is recorded on firearms and parts, not on a \(kindName)")
        }
        if kind != .firearm && firearmID != nil { rules.add("firearm_id", "names a registry firearm: only a firearm exhibit has one") }
        if (parentID == nil) != (derivation == nil) {
            rules.add(parentID == nil ? "parent_id" : "derivation", "a derived exhibit names both its parent and how it was derived")
        }
        return rules.list
    }
}

extension Derivation {
    /// A test-fire is a cartridge case or bullet fired from a firearm exhibit.
    func problems(child: ExhibitKind, parent: ExhibitKind) -> [Problem.FieldError] {
        switch self {
        case .testFire:
            var errors: [Problem.FieldError] = []
            if parent != .firearm { errors.append(.init(field: "parent_id", detail: "a test-fire comes from a firearm exhibit, not a \(parent.rawValue)")) }
            if !child.isBallistic { errors.append(.init(field: "kind", detail: "a test-fire is a cartridge case, bullet or fragment")) }
            return errors
        case .subItem:
            return []
        }
    }
}
