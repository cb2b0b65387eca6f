import Foundation
import IFCCore
import RegistryAPI

extension NewComponent {
    public func problems() -> [Problem.FieldError] {
        var errors = FieldRules()
        errors.check(make, "make", max: 100, required: true)
        errors.check(calibre, "calibre", max: 50, required: true)
        errors.check(otherMarkings, "other_markings", max: 1000)
        if let serial {
            if serial.unicodeScalars.count > 100 {
                errors.add("serial", "must be at most 100 characters")
            } else if Serial.normalize(serial) == nil {
                errors.add("serial", "must contain at least one letter or digit")
            }
        } else if otherMarkings == nil {
            errors.add("serial", "or other_markings is required: a component is recorded for its markings")
        }
        return errors.list
    }
}

extension ComponentEvent {
    /// The lifecycle a loose component shares with firearms (rows of `EventTransitions`).
    public static let kinds: [EventKind] = [.reportedLost, .reportedStolen, .seized, .recovered, .found, .surrendered, .confiscated, .destroyed]
}
