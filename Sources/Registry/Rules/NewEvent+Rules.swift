import Foundation
import IFCCore

extension NewEvent {
    /// The rules an event must meet whatever the firearm's state, each failure naming its field.
    /// `today` is the app clock's UTC day.
    public func problems(today: CalendarDate) -> [Problem.FieldError] {
        var errors = TextRules()
        if occurredOn > today { errors.add("occurred_on", "is in the future") }
        if kind == .transferred && transferKind == nil {
            errors.add("transfer_kind", "is required for a transfer (domestic, import or export)")
        }
        if transferKind == .domestic && counterpartHolderID == nil {
            errors.add("counterpart_holder_id", "is required for a domestic transfer: the new holder")
        }
        if kind != .transferred && transferKind != nil {
            errors.add("transfer_kind", "applies only to transfers")
        }
        if transferKind == .export || transferKind == .import, counterpartCountry == nil {
            errors.add("counterpart_country", "is required for an import or export")
        }
        errors.check(place, "place", max: 300)
        errors.check(agency, "agency", max: 200)
        errors.check(documentRef, "document_ref", max: 200)
        errors.check(permitNumber, "permit_number", max: 100)
        errors.check(notes, "notes", max: 4000)
        return errors.list
    }
}
