import Foundation
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/firearms` and `PATCH /v1/firearms/{id}`.
struct FirearmBody: StrictBody {
    var make: String?
    var model: String?
    var type: String?
    var calibre: String?
    var serial: String?
    var otherMarkings: String?
    var countryOfManufacture: Country?
    var yearOfManufacture: Int?
    var importCountry: Country?
    var importYear: Int?
    var importer: String?
    var barrelLengthMM: Int?
    var action: String?
    var notes: String?
    var holderID: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case make, model, type, calibre, serial, importer, action, notes
        case otherMarkings = "other_markings", countryOfManufacture = "country_of_manufacture"
        case yearOfManufacture = "year_of_manufacture", importCountry = "import_country", importYear = "import_year"
        case barrelLengthMM = "barrel_length_mm", holderID = "holder_id"
    }

    private func parsedType() throws(Problem) -> FirearmType? {
        try type.map { (raw: String) throws(Problem) -> FirearmType in try Problem.parse(raw, as: FirearmType.self, field: "type") }
    }

    /// The description to register: make, type, calibre and serial are required.
    func description() throws(Problem) -> FirearmDescription {
        var errors: [Problem.FieldError] = []
        for (value, field) in [(make, "make"), (type, "type"), (calibre, "calibre"), (serial, "serial")] where value == nil {
            errors.append(.init(field: field, detail: "is required"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        guard let make, let calibre, let serial, let type = try parsedType() else { throw Problem.validation(errors) }
        return FirearmDescription(make: make.trimmed, model: model?.trimmed, type: type, calibre: calibre.trimmed, serial: serial,
                                  otherMarkings: otherMarkings, countryOfManufacture: countryOfManufacture,
                                  yearOfManufacture: yearOfManufacture, importCountry: importCountry, importYear: importYear,
                                  importer: importer, barrelLengthMM: barrelLengthMM, action: action, notes: notes)
    }

    /// A correction: the fields given replace the current ones.
    func changes() throws(Problem) -> FirearmChanges {
        if holderID != nil {
            throw Problem.invalid("holder_id", "changes only through a transfer event (POST /v1/firearms/{id}/events)")
        }
        var c = FirearmChanges()
        c.make = make?.trimmed
        c.model = model?.trimmed
        c.type = try parsedType()
        c.calibre = calibre?.trimmed
        c.serial = serial
        c.otherMarkings = otherMarkings
        c.countryOfManufacture = countryOfManufacture
        c.yearOfManufacture = yearOfManufacture
        c.importCountry = importCountry
        c.importYear = importYear
        c.importer = importer
        c.barrelLengthMM = barrelLengthMM
        c.action = action
        c.notes = notes
        if c == FirearmChanges() { throw Problem.invalid("body", "names no change") }
        return c
    }
}

extension String {
    /// Without surrounding spaces and line breaks, as the import stores values too.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
