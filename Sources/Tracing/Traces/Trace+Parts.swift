import Foundation
import ForensicsAPI
import IFCCore
import RegistryAPI

// The parts of a tracing request a liaison officer writes: who is asked, the firearm as found,
// the persons named, and how the firearm came into view.

public struct Addressee: Sendable, Codable, Equatable {
    public var kind: AddresseeKind
    public var country: Country
    /// The manufacturer's or importer's name (required for them); for a state, the authority.
    public var name: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, country, name }

    public init(kind: AddresseeKind, country: Country, name: String?) {
        self.kind = kind
        self.country = country
        self.name = name
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(AddresseeKind.self, forKey: .kind)
        country = try c.decode(Country.self, forKey: .country)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }
}

/// The firearm as found: its description and markings as read off it.
public struct FoundFirearm: Sendable, Codable, Equatable {
    public var make: String?
    public var model: String?
    public var type: FirearmType?
    public var calibre: String?
    /// The serial as marked (it may be partial: `?` one unreadable character, `*` a run).
    public var serial: String?
    /// Which part the serial was read from.
    public var serialPart: MarkingPart?
    public var markingCondition: MarkingCondition?
    public var importMarkings: String?
    public var otherMarkings: String?
    public var countryOfManufacture: Country?
    public var photoReferences: [String]
    /// What the item is, as described when it was recovered (an exhibit's kind and description).
    public var description: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case make, model, type, calibre, serial, description
        case serialPart = "serial_part", markingCondition = "marking_condition", importMarkings = "import_markings"
        case otherMarkings = "other_markings", countryOfManufacture = "country_of_manufacture", photoReferences = "photo_references"
    }

    public init(make: String? = nil, model: String? = nil, type: FirearmType? = nil, calibre: String? = nil, serial: String? = nil,
                serialPart: MarkingPart? = nil, markingCondition: MarkingCondition? = nil, importMarkings: String? = nil,
                otherMarkings: String? = nil, countryOfManufacture: Country? = nil, photoReferences: [String] = [], description: String? = nil) {
        self.make = make
        self.model = model
        self.type = type
        self.calibre = calibre
        self.serial = serial
        self.serialPart = serialPart
        self.markingCondition = markingCondition
        self.importMarkings = importMarkings
        self.otherMarkings = otherMarkings
        self.countryOfManufacture = countryOfManufacture
        self.photoReferences = photoReferences
        self.description = description
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        make = try c.decodeIfPresent(String.self, forKey: .make)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        type = try c.decodeIfPresent(FirearmType.self, forKey: .type)
        calibre = try c.decodeIfPresent(String.self, forKey: .calibre)
        serial = try c.decodeIfPresent(String.self, forKey: .serial)
        serialPart = try c.decodeIfPresent(MarkingPart.self, forKey: .serialPart)
        markingCondition = try c.decodeIfPresent(MarkingCondition.self, forKey: .markingCondition)
        importMarkings = try c.decodeIfPresent(String.self, forKey: .importMarkings)
        otherMarkings = try c.decodeIfPresent(String.self, forKey: .otherMarkings)
        countryOfManufacture = try c.decodeIfPresent(Country.self, forKey: .countryOfManufacture)
        photoReferences = try c.decodeIfPresent([String].self, forKey: .photoReferences) ?? []
        description = try c.decodeIfPresent(String.self, forKey: .description)
    }

    /// The description a registry record gives.
    public init(_ f: Firearm) {
        let importMarking = [f.importCountry?.code, f.importYear.map(String.init), f.importer].compactMap { $0 }.joined(separator: " ")
        self.init(make: f.make, model: f.model, type: f.type, calibre: f.calibre, serial: f.serial, serialPart: f.markingPart,
                  markingCondition: f.markingCondition, importMarkings: importMarking.isEmpty ? nil : importMarking,
                  otherMarkings: f.otherMarkings, countryOfManufacture: f.countryOfManufacture)
    }
}

/// Someone the request names: the possessor or an associate. Personal data: it leaves the
/// country only after a recorded legal review.
public struct NamedPerson: Sendable, Codable, Equatable {
    public var name: String
    public var dateOfBirth: CalendarDate?
    public var nationality: Country?
    public var idNumber: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, nationality
        case dateOfBirth = "date_of_birth", idNumber = "id_number"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        dateOfBirth = try c.decodeIfPresent(CalendarDate.self, forKey: .dateOfBirth)
        nationality = try c.decodeIfPresent(Country.self, forKey: .nationality)
        idNumber = try c.decodeIfPresent(String.self, forKey: .idNumber)
    }
}

/// How the firearm came into view.
public struct Circumstances: Sendable, Codable, Equatable {
    public var recoveredOn: CalendarDate?
    public var recoveryPlace: String?
    public var recoveryCountry: Country?
    public var crimeType: String?
    public var possessor: NamedPerson?
    public var associates: [NamedPerson]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case possessor, associates
        case recoveredOn = "recovered_on", recoveryPlace = "recovery_place", recoveryCountry = "recovery_country", crimeType = "crime_type"
    }

    public init(recoveredOn: CalendarDate? = nil, recoveryPlace: String? = nil, recoveryCountry: Country? = nil, crimeType: String? = nil,
                possessor: NamedPerson? = nil, associates: [NamedPerson] = []) {
        self.recoveredOn = recoveredOn
        self.recoveryPlace = recoveryPlace
        self.recoveryCountry = recoveryCountry
        self.crimeType = crimeType
        self.possessor = possessor
        self.associates = associates
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        recoveredOn = try c.decodeIfPresent(CalendarDate.self, forKey: .recoveredOn)
        recoveryPlace = try c.decodeIfPresent(String.self, forKey: .recoveryPlace)
        recoveryCountry = try c.decodeIfPresent(Country.self, forKey: .recoveryCountry)
        crimeType = try c.decodeIfPresent(String.self, forKey: .crimeType)
        possessor = try c.decodeIfPresent(NamedPerson.self, forKey: .possessor)
        associates = try c.decodeIfPresent([NamedPerson].self, forKey: .associates) ?? []
    }

    /// Whether it names anyone (the possessor or an associate).
    public var hasPersonalData: Bool { possessor != nil || !associates.isEmpty }
}
