import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

/// The JSON body of `POST /v1/holders` and `PATCH /v1/holders/{id}`.
struct HolderBody: StrictBody {
    var kind: String?
    var name: String?
    var idNumber: String?
    var address: String?
    /// Read as text and checked with the other fields, so one answer names every wrong field.
    var country: String?
    var dateOfBirth: String?
    var nationality: String?
    var idDocumentKind: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, address, country, nationality
        case idNumber = "id_number", dateOfBirth = "date_of_birth", idDocumentKind = "id_document_kind"
    }

    /// The fields that are values (kind, countries, date, document kind), each wrong one named.
    private struct Values {
        var kind: HolderKind?
        var country: Country?
        var dateOfBirth: CalendarDate?
        var nationality: Country?
        var idDocumentKind: IDDocumentKind?
    }

    /// The values, with every field error found (missing ones when `required`).
    private func parsed(required: Bool) throws(Problem) -> Values {
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
        let parsedNationality = nationality.flatMap(Country.init)
        if nationality != nil && parsedNationality == nil { errors.append(.init(field: "nationality", detail: Country.rule)) }
        let parsedDate = dateOfBirth.flatMap(CalendarDate.init)
        if dateOfBirth != nil && parsedDate == nil { errors.append(.init(field: "date_of_birth", detail: "must be a date such as 1980-02-01")) }
        let parsedDocument = idDocumentKind.flatMap(IDDocumentKind.init(rawValue:))
        if idDocumentKind != nil && parsedDocument == nil {
            errors.append(.init(field: "id_document_kind", detail: "must be one of \(IDDocumentKind.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        // A name not given is checked as it stands on the record; the other fields as given.
        errors += NewHolder.problems(name: name ?? "-", idNumber: idNumber, address: address)
        if !errors.isEmpty { throw Problem.validation(errors) }
        return Values(kind: parsedKind, country: parsedCountry, dateOfBirth: parsedDate, nationality: parsedNationality,
                      idDocumentKind: parsedDocument)
    }

    func holder() throws(Problem) -> NewHolder {
        let v = try parsed(required: true)
        guard let kind = v.kind, let country = v.country, let name else { throw Problem.invalid("body", "is incomplete") }
        return NewHolder(kind: kind, name: name, idNumber: idNumber, address: address, country: country, dateOfBirth: v.dateOfBirth,
                         nationality: v.nationality, idDocumentKind: v.idDocumentKind)
    }
}
