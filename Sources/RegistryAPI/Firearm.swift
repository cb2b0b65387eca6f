import Foundation
import IFCCore

public enum FirearmType: String, Sendable, Codable, CaseIterable, APIEnum {
    case pistol, revolver, rifle, carbine, shotgun
    case submachineGun = "submachine_gun"
    case machineGun = "machine_gun"
    case other
}

/// The state of the unique marking (ITI para 8): why a firearm may have no readable serial.
public enum MarkingCondition: String, Sendable, Codable, CaseIterable, APIEnum {
    case legible
    case partlyObliterated = "partly_obliterated"
    case obliterated, altered, restored, unmarked

    /// The conditions under which a firearm may be recorded without a serial.
    public var excusesMissingSerial: Bool { self == .obliterated || self == .unmarked }
}

/// The essential component that carries the unique marking (EU 2021/555 Art 1).
public enum MarkingPart: String, Sendable, Codable, CaseIterable, APIEnum {
    case frame, receiver, slide, barrel, bolt
    case breechBlock = "breech_block"
    case cylinder, other
}

/// Lawful: registered in the normal course. Illicit: found, seized or surrendered with no lawful
/// record; a crime gun must never read as a lawfully registered one.
public enum RecordOrigin: String, Sendable, Codable, CaseIterable, APIEnum {
    case lawful, illicit
}

/// The current status of a firearm. It is never set directly: it follows from the events
/// (see `EventTransitions`).
public enum FirearmStatus: String, Sendable, Codable, CaseIterable {
    case registered, licensed, lost, stolen, seized, recovered, surrendered, deactivated, destroyed, exported, found, confiscated
}

/// A firearm as the API shows it. Every field is written, absent ones as null.
public struct Firearm: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var make: String
    public var model: String?
    public var type: FirearmType
    public var calibre: String
    public var serial: String?
    public var serialNormalized: String?
    public var otherMarkings: String?
    public var countryOfManufacture: Country?
    public var yearOfManufacture: Int?
    public var importCountry: Country?
    public var importYear: Int?
    public var importer: String?
    public var barrelLengthMM: Int?
    public var action: String?
    public var notes: String?
    public var manufacturer: String?
    public var placeOfManufacture: String?
    public var alternativeMarking: String?
    public var markingPart: MarkingPart?
    public var civilianMarking: String?
    public var stateMarking: String?
    /// Nil only in versions recorded before the field existed (as are the other new fields).
    public var markingCondition: MarkingCondition?
    public var restorationMethod: String?
    public var restorationCase: String?
    public var category: String?
    public var recordOrigin: RecordOrigin?
    public var status: FirearmStatus
    public var holderID: UUID?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, reference: String, make: String, model: String? = nil, type: FirearmType, calibre: String,
                serial: String? = nil, serialNormalized: String? = nil, otherMarkings: String? = nil,
                countryOfManufacture: Country? = nil, yearOfManufacture: Int? = nil, importCountry: Country? = nil,
                importYear: Int? = nil, importer: String? = nil, barrelLengthMM: Int? = nil, action: String? = nil,
                notes: String? = nil, manufacturer: String? = nil, placeOfManufacture: String? = nil,
                alternativeMarking: String? = nil, markingPart: MarkingPart? = nil, civilianMarking: String? = nil,
                stateMarking: String? = nil, markingCondition: MarkingCondition? = nil, restorationMethod: String? = nil,
                restorationCase: String? = nil, category: String? = nil, recordOrigin: RecordOrigin? = nil,
                status: FirearmStatus, holderID: UUID? = nil, version: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.reference = reference
        self.make = make
        self.model = model
        self.type = type
        self.calibre = calibre
        self.serial = serial
        self.serialNormalized = serialNormalized
        self.otherMarkings = otherMarkings
        self.countryOfManufacture = countryOfManufacture
        self.yearOfManufacture = yearOfManufacture
        self.importCountry = importCountry
        self.importYear = importYear
        self.importer = importer
        self.barrelLengthMM = barrelLengthMM
        self.action = action
        self.notes = notes
        self.manufacturer = manufacturer
        self.placeOfManufacture = placeOfManufacture
        self.alternativeMarking = alternativeMarking
        self.markingPart = markingPart
        self.civilianMarking = civilianMarking
        self.stateMarking = stateMarking
        self.markingCondition = markingCondition
        self.restorationMethod = restorationMethod
        self.restorationCase = restorationCase
        self.category = category
        self.recordOrigin = recordOrigin
        self.status = status
        self.holderID = holderID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, make, model, type, calibre, serial, importer, action, notes, status, version
        case serialNormalized = "serial_normalized", otherMarkings = "other_markings"
        case countryOfManufacture = "country_of_manufacture", yearOfManufacture = "year_of_manufacture"
        case importCountry = "import_country", importYear = "import_year", barrelLengthMM = "barrel_length_mm"
        case holderID = "holder_id", createdAt = "created_at", updatedAt = "updated_at"
        case manufacturer, category
        case placeOfManufacture = "place_of_manufacture", alternativeMarking = "alternative_marking", markingPart = "marking_part"
        case civilianMarking = "civilian_marking", stateMarking = "state_marking", markingCondition = "marking_condition"
        case restorationMethod = "restoration_method", restorationCase = "restoration_case", recordOrigin = "record_origin"
    }

    /// The descriptive fields, as a correction starts from them.
    public var description: FirearmDescription {
        FirearmDescription(make: make, model: model, type: type, calibre: calibre, serial: serial, otherMarkings: otherMarkings,
                           countryOfManufacture: countryOfManufacture, yearOfManufacture: yearOfManufacture,
                           importCountry: importCountry, importYear: importYear, importer: importer,
                           barrelLengthMM: barrelLengthMM, action: action, notes: notes, manufacturer: manufacturer,
                           placeOfManufacture: placeOfManufacture, alternativeMarking: alternativeMarking, markingPart: markingPart,
                           civilianMarking: civilianMarking, stateMarking: stateMarking, markingCondition: markingCondition ?? .legible,
                           restorationMethod: restorationMethod, restorationCase: restorationCase, category: category,
                           recordOrigin: recordOrigin ?? .lawful)
    }
}

/// The descriptive fields a clerk registers or corrects (rules: `FirearmDescription+Rules.swift`).
public struct FirearmDescription: Sendable, Equatable {
    public var make: String
    public var model: String?
    public var type: FirearmType
    public var calibre: String
    /// Optional only when `markingCondition` excuses it; the firearm then carries `stateMarking`.
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
    public var manufacturer: String?
    public var placeOfManufacture: String?
    public var alternativeMarking: String?
    public var markingPart: MarkingPart?
    public var civilianMarking: String?
    public var stateMarking: String?
    public var markingCondition: MarkingCondition
    public var restorationMethod: String?
    public var restorationCase: String?
    public var category: String?
    public var recordOrigin: RecordOrigin

    public init(make: String, model: String? = nil, type: FirearmType, calibre: String, serial: String?,
                otherMarkings: String? = nil, countryOfManufacture: Country? = nil, yearOfManufacture: Int? = nil,
                importCountry: Country? = nil, importYear: Int? = nil, importer: String? = nil,
                barrelLengthMM: Int? = nil, action: String? = nil, notes: String? = nil, manufacturer: String? = nil,
                placeOfManufacture: String? = nil, alternativeMarking: String? = nil, markingPart: MarkingPart? = nil,
                civilianMarking: String? = nil, stateMarking: String? = nil, markingCondition: MarkingCondition = .legible,
                restorationMethod: String? = nil, restorationCase: String? = nil, category: String? = nil,
                recordOrigin: RecordOrigin = .lawful) {
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
        self.manufacturer = manufacturer
        self.placeOfManufacture = placeOfManufacture
        self.alternativeMarking = alternativeMarking
        self.markingPart = markingPart
        self.civilianMarking = civilianMarking
        self.stateMarking = stateMarking
        self.markingCondition = markingCondition
        self.restorationMethod = restorationMethod
        self.restorationCase = restorationCase
        self.category = category
        self.recordOrigin = recordOrigin
    }
}
