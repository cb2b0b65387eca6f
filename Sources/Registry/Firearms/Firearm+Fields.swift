import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import RegistryAPI

/// Every field of a firearm's description, said once: the PATCH body, the changed-field list of a
/// correction, the API document's schemas and the bulk import's version JSON come from this table.
/// Status and holder are not here: they change only through events.
extension FirearmDescription: RecordFields {
    /// A year of manufacture or import: from 1800 to the current year when the document is built.
    static let year: JSONValue = ["type": ["integer", "null"], "minimum": 1800, "maximum": .int(CalendarDate(Date()).year)]

    public static let table = FieldTable<FirearmDescription>([
        .init("make", \.make, schema: ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"]),
        .init("model", \.model, schema: ["type": ["string", "null"], "maxLength": 100]),
        .init("type", \.type, schema: Schema.ref("FirearmType")),
        .init("calibre", \.calibre, schema: ["type": "string", "minLength": 1, "maxLength": 50, "pattern": "\\S"]),
        .init("serial", \.serial, schema: Schema.serial.merging(["type": ["string", "null"]])),
        .init("other_markings", \.otherMarkings, schema: ["type": ["string", "null"], "maxLength": 1000]),
        .init("country_of_manufacture", \.countryOfManufacture, schema: Schema.optionalCountry),
        .init("year_of_manufacture", \.yearOfManufacture, schema: year),
        .init("import_country", \.importCountry, schema: Schema.optionalCountry),
        .init("import_year", \.importYear, schema: year),
        .init("importer", \.importer, schema: ["type": ["string", "null"], "maxLength": 200]),
        .init("barrel_length_mm", \.barrelLengthMM, schema: ["type": ["integer", "null"], "minimum": 1, "maximum": 3000]),
        .init("action", \.action, schema: ["type": ["string", "null"], "maxLength": 100]),
        .init("notes", \.notes, schema: ["type": ["string", "null"], "maxLength": 4000], text: .note),
        .init("manufacturer", \.manufacturer, schema: Registry.optionalText(200)),
        .init("place_of_manufacture", \.placeOfManufacture, schema: Registry.optionalText(200)),
        .init("alternative_marking", \.alternativeMarking, schema: Registry.optionalText(200)),
        .init("marking_part", \.markingPart,
              schema: ["type": ["string", "null"], "enum": .array(MarkingPart.allCases.map { .string($0.rawValue) } + [.null])]),
        .init("civilian_marking", \.civilianMarking, schema: Registry.optionalText(200)),
        .init("state_marking", \.stateMarking, schema: Registry.optionalText(200)),
        .init("marking_condition", \.markingCondition, schema: Schema.ref("MarkingCondition")),
        .init("restoration_method", \.restorationMethod, schema: Registry.optionalText(200)),
        .init("restoration_case", \.restorationCase,
              schema: ["type": ["string", "null"], "minLength": 1, "maxLength": 50, "pattern": "\\S",
                       "description": "the forensic case that restored the marking; answered as null to a reader who may not see that case (need-to-know)"]),
        // The categories a deployment configures: `Registry.firearmDescriptionSchema` states them.
        .init("category", \.category, schema: ["type": ["string", "null"]]),
        .init("record_origin", \.recordOrigin, schema: Schema.ref("RecordOrigin")),
    ], refusedKeys: ["holder_id": "changes only through a transfer event (POST /v1/firearms/{id}/events)"])

    /// Names without surrounding spaces and line breaks, as registration and the import store them.
    var trimmedNames: FirearmDescription {
        var d = self
        d.make = make.trimmed
        d.model = model?.trimmed
        d.calibre = calibre.trimmed
        d.manufacturer = manufacturer?.trimmed
        d.placeOfManufacture = placeOfManufacture?.trimmed
        return d
    }
}

extension FirearmStore {
    /// The one path that corrects a firearm: the API's PATCH and a restoration recorded by the
    /// forensics module (`RegistryIntake.markRestored`) both go through it.
    static let correction = Correction<Firearm, FirearmDescription>(
        recordType: "firearm", history: history,
        lock: { try await find(id: $0, forUpdate: true, on: $1) },
        write: { try await update(id: $0, $1, on: $2) },
        fields: \.description, version: \.version, label: { "firearm \($0.reference)" },
        changed: FirearmDescription.table.changed)
}
