import Foundation
import IFCCore

public enum FirearmType: String, Sendable, Codable, CaseIterable {
    case pistol, revolver, rifle, carbine, shotgun
    case submachineGun = "submachine_gun"
    case machineGun = "machine_gun"
    case other
}

/// The current status of a firearm. It is never set directly: it follows from the events
/// (see `EventTransitions`).
public enum FirearmStatus: String, Sendable, Codable, CaseIterable {
    case registered, licensed, lost, stolen, seized, recovered, surrendered, deactivated, destroyed, exported
}

/// A firearm as the API shows it. Every field is written, absent ones as null.
public struct Firearm: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var make: String
    public var model: String?
    public var type: FirearmType
    public var calibre: String
    public var serial: String
    public var serialNormalized: String
    public var otherMarkings: String?
    public var countryOfManufacture: Country?
    public var yearOfManufacture: Int?
    public var importCountry: Country?
    public var importYear: Int?
    public var importer: String?
    public var barrelLengthMM: Int?
    public var action: String?
    public var notes: String?
    public var status: FirearmStatus
    public var holderID: UUID?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reference, make, model, type, calibre, serial, importer, action, notes, status, version
        case serialNormalized = "serial_normalized", otherMarkings = "other_markings"
        case countryOfManufacture = "country_of_manufacture", yearOfManufacture = "year_of_manufacture"
        case importCountry = "import_country", importYear = "import_year", barrelLengthMM = "barrel_length_mm"
        case holderID = "holder_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    /// The descriptive fields, as a correction starts from them.
    public var description: FirearmDescription {
        FirearmDescription(make: make, model: model, type: type, calibre: calibre, serial: serial, otherMarkings: otherMarkings,
                           countryOfManufacture: countryOfManufacture, yearOfManufacture: yearOfManufacture,
                           importCountry: importCountry, importYear: importYear, importer: importer,
                           barrelLengthMM: barrelLengthMM, action: action, notes: notes)
    }
}

/// The descriptive fields a clerk registers or corrects (rules: `FirearmDescription+Rules.swift`).
public struct FirearmDescription: Sendable, Equatable {
    public var make: String
    public var model: String?
    public var type: FirearmType
    public var calibre: String
    public var serial: String
    public var otherMarkings: String?
    public var countryOfManufacture: Country?
    public var yearOfManufacture: Int?
    public var importCountry: Country?
    public var importYear: Int?
    public var importer: String?
    public var barrelLengthMM: Int?
    public var action: String?
    public var notes: String?

    public init(make: String, model: String? = nil, type: FirearmType, calibre: String, serial: String,
                otherMarkings: String? = nil, countryOfManufacture: Country? = nil, yearOfManufacture: Int? = nil,
                importCountry: Country? = nil, importYear: Int? = nil, importer: String? = nil,
                barrelLengthMM: Int? = nil, action: String? = nil, notes: String? = nil) {
        self.make = make
        self.model = model
        self.type = type
        self.calibre = calibre
        self.serial = serial
        self.otherMarkings = otherMarkings
        self.countryOfManufacture = countryOfManufacture
        self.yearOfManufacture = yearOfManufacture
        self.importCountry = importCountry
        self.importYear = importYear
        self.importer = importer
        self.barrelLengthMM = barrelLengthMM
        self.action = action
        self.notes = notes
    }
}

/// A firearm with the licences that cover it, as `GET /v1/firearms/{id}` answers: the firearm's
/// fields and a `licences` list, in one object.
public struct FirearmDetail: Sendable, Encodable {
    public var firearm: Firearm
    public var licences: [Licence]

    enum CodingKeys: String, CodingKey { case licences }

    public func encode(to encoder: any Encoder) throws {
        try firearm.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(licences, forKey: .licences)
    }
}

/// A correction: the fields given replace the current ones; nil leaves a field as it is.
public struct FirearmChanges: Sendable, Equatable {
    public var make: String?
    public var model: String?
    public var type: FirearmType?
    public var calibre: String?
    public var serial: String?
    public var otherMarkings: String?
    public var countryOfManufacture: Country?
    public var yearOfManufacture: Int?
    public var importCountry: Country?
    public var importYear: Int?
    public var importer: String?
    public var barrelLengthMM: Int?
    public var action: String?
    public var notes: String?

    public init() {}

    public func applied(to current: FirearmDescription) -> FirearmDescription {
        var d = current
        if let make { d.make = make }
        if let model { d.model = model }
        if let type { d.type = type }
        if let calibre { d.calibre = calibre }
        if let serial { d.serial = serial }
        if let otherMarkings { d.otherMarkings = otherMarkings }
        if let countryOfManufacture { d.countryOfManufacture = countryOfManufacture }
        if let yearOfManufacture { d.yearOfManufacture = yearOfManufacture }
        if let importCountry { d.importCountry = importCountry }
        if let importYear { d.importYear = importYear }
        if let importer { d.importer = importer }
        if let barrelLengthMM { d.barrelLengthMM = barrelLengthMM }
        if let action { d.action = action }
        if let notes { d.notes = notes }
        return d
    }
}
