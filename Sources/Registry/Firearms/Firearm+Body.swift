import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

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
    var manufacturer: String?
    var placeOfManufacture: String?
    var alternativeMarking: String?
    var markingPart: String?
    var civilianMarking: String?
    var stateMarking: String?
    var markingCondition: String?
    var restorationMethod: String?
    var restorationCase: String?
    var category: String?
    var recordOrigin: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case make, model, type, calibre, serial, importer, action, notes
        case otherMarkings = "other_markings", countryOfManufacture = "country_of_manufacture"
        case yearOfManufacture = "year_of_manufacture", importCountry = "import_country", importYear = "import_year"
        case barrelLengthMM = "barrel_length_mm", holderID = "holder_id"
        case manufacturer, category
        case placeOfManufacture = "place_of_manufacture", alternativeMarking = "alternative_marking", markingPart = "marking_part"
        case civilianMarking = "civilian_marking", stateMarking = "state_marking", markingCondition = "marking_condition"
        case restorationMethod = "restoration_method", restorationCase = "restoration_case", recordOrigin = "record_origin"
    }

    /// The enumerated fields as values, every wrong one named.
    private func parsedValues() throws(Problem) -> (FirearmType?, MarkingPart?, MarkingCondition?, RecordOrigin?) {
        var errors: [Problem.FieldError] = []
        func parse<T: RawRepresentable & CaseIterable>(_ raw: String?, _ field: String) -> T? where T.RawValue == String {
            guard let raw else { return nil }
            guard let value = T(rawValue: raw) else {
                errors.append(.init(field: field, detail: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))"))
                return nil
            }
            return value
        }
        let values: (FirearmType?, MarkingPart?, MarkingCondition?, RecordOrigin?) = (
            parse(type, "type"), parse(markingPart, "marking_part"), parse(markingCondition, "marking_condition"),
            parse(recordOrigin, "record_origin"))
        if !errors.isEmpty { throw Problem.validation(errors) }
        return values
    }

    /// The description to register: make, type and calibre are required, and the serial unless
    /// the marking's condition says why there is none.
    func description() throws(Problem) -> FirearmDescription {
        var errors: [Problem.FieldError] = []
        for (value, field) in [(make, "make"), (type, "type"), (calibre, "calibre")] where value == nil {
            errors.append(.init(field: field, detail: "is required"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let (parsedType, part, condition, origin) = try parsedValues()
        guard let make, let calibre, let type = parsedType else { throw Problem.validation(errors) }
        return FirearmDescription(make: make.trimmed, model: model?.trimmed, type: type, calibre: calibre.trimmed, serial: serial,
                                  otherMarkings: otherMarkings, countryOfManufacture: countryOfManufacture,
                                  yearOfManufacture: yearOfManufacture, importCountry: importCountry, importYear: importYear,
                                  importer: importer, barrelLengthMM: barrelLengthMM, action: action, notes: notes,
                                  manufacturer: manufacturer?.trimmed, placeOfManufacture: placeOfManufacture?.trimmed,
                                  alternativeMarking: alternativeMarking, markingPart: part, civilianMarking: civilianMarking,
                                  stateMarking: stateMarking, markingCondition: condition ?? .legible, restorationMethod: restorationMethod,
                                  restorationCase: restorationCase, category: category, recordOrigin: origin ?? .lawful)
    }
}

extension String {
    /// Without surrounding spaces and line breaks, as the import stores values too.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
