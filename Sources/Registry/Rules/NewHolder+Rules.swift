import Foundation
import IFCCore
import RegistryAPI

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
        var errors = FieldRules()
        if let problem = nameProblem(name) { errors.add("name", problem) }
        if let problem = idNumber.flatMap(idNumberProblem) { errors.add("id_number", problem) }
        errors.check(address, "address", max: 1000)
        return errors.list
    }

    static func nameProblem(_ name: String) -> String? {
        name.isBlank || name.unicodeScalars.count > 300 ? "must be 1 to 300 characters, not all blank" : nil
    }

    static func idNumberProblem(_ idNumber: String) -> String? {
        idNumber.isBlank || idNumber.unicodeScalars.count > 100 ? "must be 1 to 100 characters" : nil
    }
}
