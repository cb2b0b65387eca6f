import Foundation
import ForensicsAPI
import IFCCore
import RegistryAPI

/// The bounds the seizure rules and the API document share.
enum SeizureLimits {
    static let persons = 100
    static let firearms = 200
    static let lines = 500
    static let quantity = 1...10_000_000
}

extension SeizureFields {
    /// Every rule that needs no database, each failure naming its field. `today` is the app
    /// clock's UTC day.
    func problems(today: CalendarDate) -> [Problem.FieldError] {
        var rules = FieldRules()
        rules.text(agency, "agency", max: 200)
        rules.text(officer, "officer", max: 200)
        rules.notFuture(seizedOn, "seized_on", today: today)
        rules.text(region, "region", max: 200)
        rules.text(place, "place", max: 300)
        if let latitude, !(-90...90).contains(latitude) { rules.add("latitude", "must be from -90 to 90") }
        if let longitude, !(-180...180).contains(longitude) { rules.add("longitude", "must be from -180 to 180") }
        if (latitude == nil) != (longitude == nil) {
            rules.add(latitude == nil ? "latitude" : "longitude", "is required with \(latitude == nil ? "longitude" : "latitude"): coordinates come in pairs")
        }
        rules.text(concealment, "concealment", max: 1000)
        if persons.count > SeizureLimits.persons { rules.add("persons", "must list at most \(SeizureLimits.persons) persons") }
        if parts.count > SeizureLimits.lines { rules.add("parts", "must list at most \(SeizureLimits.lines) lines") }
        if ammunition.count > SeizureLimits.lines { rules.add("ammunition", "must list at most \(SeizureLimits.lines) lines") }
        for (i, part) in parts.enumerated() {
            if !SeizureLimits.quantity.contains(part.quantity) { rules.add("parts[\(i)].quantity", "must be from 1 to \(SeizureLimits.quantity.upperBound)") }
            rules.text(part.description, "parts[\(i)].description", max: 1000)
            rules.text(part.marking, "parts[\(i)].marking", max: 200)
        }
        for (i, line) in ammunition.enumerated() {
            rules.text(line.calibre, "ammunition[\(i)].calibre", max: 50)
            if !SeizureLimits.quantity.contains(line.quantity) {
                rules.add("ammunition[\(i)].quantity", "must be from 1 to \(SeizureLimits.quantity.upperBound)")
            }
            rules.text(line.headstamp, "ammunition[\(i)].headstamp", max: 100)
        }
        if let notes, notes.unicodeScalars.count > 4000 { rules.add("notes", "must be at most 4000 characters") }
        return rules.list
    }
}

extension NewSeizure {
    /// The seizure's own rules, and those of each firearm: a registry record named once, or a
    /// description that the registry would accept as an illicit find.
    func problems(today: CalendarDate) -> [Problem.FieldError] {
        var errors = fields.problems(today: today)
        if firearms.count > SeizureLimits.firearms { errors.append(.init(field: "firearms", detail: "must list at most \(SeizureLimits.firearms) firearms")) }
        var seen: [UUID: Int] = [:]
        for (i, firearm) in firearms.enumerated() {
            switch firearm {
            case .registered(let id):
                if let first = seen[id] {
                    errors.append(.init(field: "firearms[\(i)].firearm_id", detail: "names the same firearm as firearms[\(first)]"))
                }
                seen[id] = seen[id] ?? i
            case .illicitFind(let description):
                errors += description.problems(currentYear: today.year).map {
                    .init(field: "firearms[\(i)].description.\($0.field)", detail: $0.detail)
                }
                if let year = description.yearOfManufacture, fields.seizedOn.year < year {
                    errors.append(.init(field: "firearms[\(i)].description.year_of_manufacture", detail: "is after the seizure's year"))
                }
            }
        }
        return errors
    }
}
