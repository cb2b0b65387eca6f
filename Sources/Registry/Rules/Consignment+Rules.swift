import Foundation
import IFCCore
import RegistryAPI

extension NewConsignment {
    public func problems(today: CalendarDate) -> [Problem.FieldError] {
        var errors = FieldRules()
        if direction == .domestic { errors.add("direction", "must be export or import: a consignment crosses a border") }
        if shippedOn > today { errors.add("shipped_on", "is in the future") }
        if firearmIDs.isEmpty || firearmIDs.count > 500 { errors.add("firearm_ids", "must name 1 to 500 firearms") }
        if Set(firearmIDs).count != firearmIDs.count { errors.add("firearm_ids", "names a firearm twice") }
        if let quantity, quantity < firearmIDs.count || quantity > 100_000 {
            errors.add("quantity", "must be at least the number of firearms named (\(firearmIDs.count)) and at most 100000")
        }
        errors.check(notes, "notes", max: 4000)
        if direction != .domestic {
            for error in crossBorder.problems(direction: direction) { errors.add(error.field, error.detail) }
        }
        return errors.list
    }
}

extension DeliveryVerification {
    /// A verification of `consignment`, checked against it and today.
    public func problems(for consignment: Consignment, today: CalendarDate) -> [Problem.FieldError] {
        var errors = FieldRules()
        if verifiedOn > today { errors.add("verified_on", "is in the future") }
        if verifiedOn < consignment.shippedOn { errors.add("verified_on", "is before the consignment was shipped (\(consignment.shippedOn))") }
        errors.check(document, "document", max: 200, required: true)
        return errors.list
    }
}
