import Foundation
import IFCCore

extension NewHolder {
    /// The holder with its name trimmed, or the fields that break a rule.
    public func checked() throws(Problem) -> NewHolder {
        let errors = Self.problems(name: name, idNumber: idNumber, address: address)
        if !errors.isEmpty { throw Problem.validation(errors) }
        var holder = self
        holder.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return holder
    }

    /// The rules of a holder's free-text fields, each failure naming its field.
    public static func problems(name: String, idNumber: String?, address: String?) -> [Problem.FieldError] {
        var errors = TextRules()
        if name.isBlank || name.unicodeScalars.count > 300 { errors.add("name", "must be 1 to 300 characters, not all blank") }
        if let idNumber, idNumber.isBlank || idNumber.unicodeScalars.count > 100 {
            errors.add("id_number", "must be 1 to 100 characters")
        }
        errors.check(address, "address", max: 1000)
        return errors.list
    }
}
