import Foundation
import IFCCore
import RegistryAPI

extension NewHolder {
    /// The holder with its name trimmed, or every field that breaks a rule: the free-text rules
    /// (`checked()`) and the identity ones, which need the day.
    public func checked(today: CalendarDate) throws(Problem) -> NewHolder {
        let errors = Self.problems(name: name, idNumber: idNumber, address: address) + Self.identityProblems(dateOfBirth: dateOfBirth, today: today)
        if !errors.isEmpty { throw Problem.validation(errors) }
        return try checked()
    }

    /// A date of birth is a day that has come (JSON Schema cannot compare with today).
    public static func identityProblems(dateOfBirth: CalendarDate?, today: CalendarDate) -> [Problem.FieldError] {
        guard let dateOfBirth, dateOfBirth > today else { return [] }
        return [.init(field: "date_of_birth", detail: "is in the future")]
    }
}
