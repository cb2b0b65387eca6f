import Foundation
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/holders` and `PATCH /v1/holders/{id}`.
struct HolderBody: StrictBody {
    var kind: String?
    var name: String?
    var idNumber: String?
    var address: String?
    /// Read as text and checked with the other fields, so one answer names every wrong field.
    var country: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, address, country
        case idNumber = "id_number"
    }

    /// Kind and country as values, with every field error found (missing ones when `required`).
    private func parsed(required: Bool) throws(Problem) -> (HolderKind?, Country?) {
        var errors: [Problem.FieldError] = []
        if required {
            for (value, field) in [(kind, "kind"), (name, "name"), (country, "country")] where value == nil {
                errors.append(.init(field: field, detail: "is required"))
            }
        }
        let parsedKind = kind.flatMap(HolderKind.init(rawValue:))
        if kind != nil && parsedKind == nil {
            errors.append(.init(field: "kind", detail: "must be one of \(HolderKind.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let parsedCountry = country.flatMap(Country.init)
        if country != nil && parsedCountry == nil { errors.append(.init(field: "country", detail: Country.rule)) }
        // A name not given is checked as it stands on the record; the other fields as given.
        errors += NewHolder.problems(name: name ?? "-", idNumber: idNumber, address: address)
        if !errors.isEmpty { throw Problem.validation(errors) }
        return (parsedKind, parsedCountry)
    }

    func holder() throws(Problem) -> NewHolder {
        let (kind, country) = try parsed(required: true)
        guard let kind, let country, let name else { throw Problem.invalid("body", "is incomplete") }
        return NewHolder(kind: kind, name: name, idNumber: idNumber, address: address, country: country)
    }

    func changes() throws(Problem) -> HolderChanges {
        let (kind, country) = try parsed(required: false)
        let changes = HolderChanges(kind: kind, name: name, idNumber: idNumber, address: address, country: country)
        if changes == HolderChanges() { throw Problem.invalid("body", "names no change") }
        return changes
    }
}
