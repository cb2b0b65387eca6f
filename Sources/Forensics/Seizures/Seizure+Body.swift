import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import RegistryAPI

/// One firearm of `POST /v1/seizures`: a registry record (`firearm_id`) or a description to
/// record as an illicit find (`description`), exactly one of them.
struct SeizedFirearmBody: Decodable, Sendable {
    var firearmID: UUID?
    var description: IllicitFindBody?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case firearmID = "firearm_id", description
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        firearmID = try c.decodeIfPresent(UUID.self, forKey: .firearmID)
        description = try c.decodeIfPresent(IllicitFindBody.self, forKey: .description)
    }
}

/// What a seizing officer can say of a firearm the registry does not hold.
struct IllicitFindBody: Decodable, Sendable {
    var make: String
    var model: String?
    var type: FirearmType
    var calibre: String
    var serial: String?
    var markingCondition: MarkingCondition?
    var markingPart: MarkingPart?
    var stateMarking: String?
    var restorationMethod: String?
    var otherMarkings: String?
    var countryOfManufacture: Country?
    var yearOfManufacture: Int?
    var notes: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case make, model, type, calibre, serial, notes
        case markingCondition = "marking_condition", markingPart = "marking_part", stateMarking = "state_marking"
        case restorationMethod = "restoration_method", otherMarkings = "other_markings"
        case countryOfManufacture = "country_of_manufacture", yearOfManufacture = "year_of_manufacture"
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        make = try c.decode(String.self, forKey: .make)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        guard let type = try Self.parse(c, .type, FirearmType.self) else {
            throw DecodingError.keyNotFound(CodingKeys.type, .init(codingPath: c.codingPath, debugDescription: "is required"))
        }
        self.type = type
        calibre = try c.decode(String.self, forKey: .calibre)
        serial = try c.decodeIfPresent(String.self, forKey: .serial)
        markingCondition = try Self.parse(c, .markingCondition, MarkingCondition.self)
        markingPart = try Self.parse(c, .markingPart, MarkingPart.self)
        stateMarking = try c.decodeIfPresent(String.self, forKey: .stateMarking)
        restorationMethod = try c.decodeIfPresent(String.self, forKey: .restorationMethod)
        otherMarkings = try c.decodeIfPresent(String.self, forKey: .otherMarkings)
        countryOfManufacture = try c.decodeIfPresent(Country.self, forKey: .countryOfManufacture)
        yearOfManufacture = try c.decodeIfPresent(Int.self, forKey: .yearOfManufacture)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
    }

    /// A registry enumeration, refused naming the values it takes.
    static func parse<T: RawRepresentable & CaseIterable>(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys,
                                                          _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let raw = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = T(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c,
                                                   debugDescription: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    var firearmDescription: FirearmDescription {
        FirearmDescription(make: make, model: model, type: type, calibre: calibre, serial: serial, otherMarkings: otherMarkings,
                           countryOfManufacture: countryOfManufacture, yearOfManufacture: yearOfManufacture, notes: notes,
                           markingPart: markingPart, stateMarking: stateMarking, markingCondition: markingCondition ?? .legible,
                           restorationMethod: restorationMethod, recordOrigin: .illicit)
    }
}

/// The JSON body of `POST /v1/seizures` and `PATCH /v1/seizures/{id}`.
struct SeizureBody: StrictBody {
    var agency: String?
    var officer: String?
    var seizedOn: CalendarDate?
    var country: Country?
    var region: String?
    var place: String?
    var latitude: Double?
    var longitude: Double?
    var context: SeizureContext?
    var concealment: String?
    var persons: [SeizedPerson]?
    var firearms: [SeizedFirearmBody]?
    var parts: [SeizedPart]?
    var ammunition: [SeizedAmmunition]?
    var notes: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case agency, officer, country, region, place, latitude, longitude, context, concealment, persons, firearms, parts, ammunition, notes
        case seizedOn = "seized_on"
    }

    func seizure() throws(Problem) -> NewSeizure {
        var errors: [Problem.FieldError] = []
        for (value, field) in [(agency as Any?, "agency"), (officer, "officer"), (seizedOn, "seized_on"), (country, "country"),
                               (context, "context")] where value == nil {
            errors.append(.init(field: field, detail: "is required"))
        }
        var inputs: [SeizedFirearmInput] = []
        for (i, firearm) in (firearms ?? []).enumerated() {
            switch (firearm.firearmID, firearm.description) {
            case (let id?, nil): inputs.append(.registered(id))
            case (nil, let description?): inputs.append(.illicitFind(description.firearmDescription))
            default: errors.append(.init(field: "firearms[\(i)]", detail: "must name either firearm_id or description"))
            }
        }
        guard errors.isEmpty, let agency, let officer, let seizedOn, let country, let context else { throw Problem.validation(errors) }
        let fields = SeizureFields(agency: agency, officer: officer, seizedOn: seizedOn, country: country, region: region, place: place,
                                   latitude: latitude, longitude: longitude, context: context, concealment: concealment,
                                   persons: persons ?? [], parts: parts ?? [], ammunition: ammunition ?? [], notes: notes)
        return NewSeizure(fields: fields, firearms: inputs)
    }
}
