import Foundation
import IFCCore
import RegistryAPI

extension EffectiveStatus {
    /// The status on `today`: revoked and suspended as set, else expired after the end date,
    /// not yet valid before the start, else valid.
    public static func of(_ status: LicenceStatus, from: CalendarDate, until: CalendarDate, today: CalendarDate) -> EffectiveStatus {
        switch status {
        case .revoked: return .revoked
        case .suspended: return .suspended
        case .active:
            if until < today { return .expired }
            if from > today { return .notYetValid }
            return .valid
        }
    }
}

extension NewLicence {
    public func problems() -> [Problem.FieldError] {
        var errors = FieldRules()
        if number.isBlank || number.unicodeScalars.count > 100 {
            errors.add("number", "must be 1 to 100 characters")
        }
        if issuingAuthority.isBlank || issuingAuthority.unicodeScalars.count > 200 {
            errors.add("issuing_authority", "must be 1 to 200 characters")
        }
        if validUntil < validFrom { errors.add("valid_until", "is before valid_from") }
        if firearmIDs.count > 500 { errors.add("firearm_ids", "must name at most 500 firearms") }
        for error in LicenceCondition.problems(conditions) { errors.add(error.field, error.detail) }
        return errors.list
    }
}

extension LicenceChanges {
    public func problems() -> [Problem.FieldError] {
        var errors = FieldRules()
        if status == nil && validUntil == nil && conditions == nil { errors.add("body", "names no change") }
        for error in LicenceCondition.problems(conditions ?? []) { errors.add(error.field, error.detail) }
        errors.check(statusReason, "status_reason", max: 1000)
        if (status == .revoked || status == .suspended) && (statusReason ?? "").isBlank {
            errors.add("status_reason", "is required to revoke or suspend a licence")
        }
        return errors.list
    }

    /// A change the licence as it stands refuses (409), or nil.
    public func refusal(for current: Licence) -> Problem? {
        if current.status == .revoked, let status, status != .revoked {
            return Problem.conflict("a revoked licence stays revoked; issue a new one", slug: "licence-revoked")
        }
        if let validUntil, validUntil < current.validFrom {
            return Problem.invalid("valid_until", "is before valid_from (\(current.validFrom))")
        }
        return nil
    }
}

extension LicenceCondition {
    static func problems(_ conditions: [LicenceCondition]) -> [Problem.FieldError] {
        var errors = FieldRules()
        if conditions.count > 20 { errors.add("conditions", "must name at most 20 conditions") }
        for (index, condition) in conditions.enumerated() {
            errors.check(condition.text, "conditions[\(index)].text", max: 1000, required: true)
        }
        return errors.list
    }
}
