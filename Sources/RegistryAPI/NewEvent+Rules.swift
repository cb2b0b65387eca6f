import Foundation
import IFCCore

extension NewEvent {
    /// The rules an event must meet whatever the firearm's state, each failure naming its field.
    /// `today` is the app clock's UTC day.
    public func problems(today: CalendarDate) -> [Problem.FieldError] {
        var errors = FieldRules()
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
        if let direction = transferKind, direction != .domestic {
            if counterpartCountry == nil { errors.add("counterpart_country", "is required for an import or export") }
            if let crossBorder {
                for error in crossBorder.problems(direction: direction) { errors.add(error.field, error.detail) }
            } else {
                errors.add("cross_border", "is required for an import or export: the licences, countries and parties (Firearms Protocol Art 7)")
            }
        } else if crossBorder != nil {
            errors.add("cross_border", "applies only to an import or export")
        }
        errors.check(place, "place", max: 300)
        errors.check(agency, "agency", max: 200)
        errors.check(documentRef, "document_ref", max: 200)
        errors.check(permitNumber, "permit_number", max: 100)
        errors.check(notes, "notes", max: 4000)
        errors.check(details.reason, "reason", max: 1000, required: true)
        errors.check(details.sourceDocument, "source_document", max: 200, required: true)
        errors.check(details.authority, "authority", max: 200, required: true)
        errors.check(details.certificateNumber, "certificate_number", max: 100, required: true)
        errors.check(details.certificateStandard, "certificate_standard", max: 200, required: true)
        errors.check(details.categoryAfter, "category_after", max: 50, required: true)
        if kind == .voided {
            if details.voidsEventID == nil { errors.add("voids_event_id", "is required to void an event: the event recorded in error") }
            if details.reason == nil { errors.add("reason", "is required to void an event") }
        } else if details.voidsEventID != nil {
            errors.add("voids_event_id", "applies only to a voided event")
        }
        if details.historical && details.sourceDocument == nil {
            errors.add("source_document", "is required for a historical event: the record it is copied from")
        }
        if (kind == .returnedToOwner || kind == .confiscated) && details.authority == nil {
            errors.add("authority", "is required: the authority that ordered it")
        }
        if kind == .converted && details.conversion == nil && details.categoryAfter == nil {
            errors.add("conversion", "or category_after is required: what the conversion changed")
        }
        if kind != .converted && (details.conversion != nil || details.categoryAfter != nil) {
            errors.add(details.conversion != nil ? "conversion" : "category_after", "applies only to a conversion")
        }
        if ![.deactivated, .destroyed].contains(kind) && (details.certificateNumber != nil || details.certificateStandard != nil) {
            errors.add(details.certificateNumber != nil ? "certificate_number" : "certificate_standard",
                       "applies only to a deactivation or destruction")
        }
        return errors.list
    }
}
