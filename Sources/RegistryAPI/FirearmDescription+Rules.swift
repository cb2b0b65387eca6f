import Foundation
import IFCCore

extension FirearmDescription {
    /// EU Directive 2021/555 Annex I: A (prohibited), B (subject to authorisation), C (subject to
    /// declaration), and a national category for what national law adds.
    public static let defaultCategories = ["A", "B", "C", "national"]

    /// Every rule that needs no database, each failure naming its field. (Countries are checked
    /// by their type when the body is read.)
    public func problems(currentYear: Int, categories: [String] = FirearmDescription.defaultCategories) -> [Problem.FieldError] {
        var errors = FieldRules()
        errors.check(make, "make", max: 100, required: true)
        errors.check(model, "model", max: 100)
        errors.check(calibre, "calibre", max: 50, required: true)
        errors.check(otherMarkings, "other_markings", max: 1000)
        errors.check(importer, "importer", max: 200)
        errors.check(action, "action", max: 100)
        errors.check(notes, "notes", max: 4000)
        errors.check(manufacturer, "manufacturer", max: 200, required: true)
        errors.check(placeOfManufacture, "place_of_manufacture", max: 200, required: true)
        errors.check(alternativeMarking, "alternative_marking", max: 200, required: true)
        errors.check(civilianMarking, "civilian_marking", max: 200, required: true)
        errors.check(stateMarking, "state_marking", max: 200, required: true)
        errors.check(restorationMethod, "restoration_method", max: 200, required: true)
        errors.check(restorationCase, "restoration_case", max: 50, required: true)
        if let serial {
            if serial.unicodeScalars.count > 100 {
                errors.add("serial", "must be at most 100 characters")
            } else if Serial.normalize(serial) == nil {
                errors.add("serial", "must contain at least one letter or digit")
            }
        } else if !markingCondition.excusesMissingSerial {
            errors.add("serial", "is required unless marking_condition is obliterated or unmarked")
        } else if stateMarking == nil {
            errors.add("state_marking", "is required for a firearm recorded without a serial")
        }
        if markingCondition == .restored && restorationMethod == nil {
            errors.add("restoration_method", "is required when the marking was restored")
        }
        if let category, !categories.contains(category) {
            errors.add("category", "must be one of \(categories.joined(separator: ", "))")
        }
        for (value, field) in [(yearOfManufacture, "year_of_manufacture"), (importYear, "import_year")] {
            if let value, !(1800...currentYear).contains(value) {
                errors.add(field, "must be a year from 1800 to \(currentYear)")
            }
        }
        if let made = yearOfManufacture, let imported = importYear, imported < made {
            errors.add("import_year", "is before the year of manufacture")
        }
        if let length = barrelLengthMM, !(1...3000).contains(length) {
            errors.add("barrel_length_mm", "must be from 1 to 3000")
        }
        return errors.list
    }
}
