import Foundation
import IFCCore

public enum FirearmType: String, Sendable, Codable, CaseIterable {
    case pistol, revolver, rifle, carbine, shotgun
    case submachineGun = "submachine_gun"
    case machineGun = "machine_gun"
    case other
}

/// The current status of a firearm. It is never set directly: it follows from the events.
public enum FirearmStatus: String, Sendable, Codable, CaseIterable {
    case registered, licensed, lost, stolen, seized, recovered, surrendered, deactivated, destroyed, exported
}

public enum TransferKind: String, Sendable, Codable, CaseIterable {
    case domestic, `import`, export
}

public enum EventKind: String, Sendable, Codable, CaseIterable {
    case manufactured, imported, registered, licensed, transferred
    case reportedLost = "reported_lost"
    case reportedStolen = "reported_stolen"
    case seized, recovered, surrendered, deactivated, destroyed

    /// The status after this event on a firearm in `status`, or the reason the event makes no
    /// sense there (answered 409).
    public func apply(to status: FirearmStatus, transfer: TransferKind?) -> Result<FirearmStatus, EventRefusal> {
        if status == .destroyed {
            return .failure(.init("the firearm was destroyed; no event can follow"))
        }
        switch self {
        case .manufactured:
            return .success(status)
        case .imported, .registered:
            return .success(status == .exported ? .registered : status)
        case .licensed:
            guard [.registered, .licensed, .recovered, .surrendered].contains(status) else {
                return .failure(.init("a firearm that is \(status.rawValue) cannot be licensed"))
            }
            return .success(.licensed)
        case .transferred:
            switch transfer {
            case .import?:
                guard status == .exported else {
                    return .failure(.init("only an exported firearm can be imported back; this one is \(status.rawValue)"))
                }
                return .success(.registered)
            case .export?:
                guard ![.lost, .stolen, .seized, .exported].contains(status) else {
                    return .failure(.init("a firearm that is \(status.rawValue) cannot be exported"))
                }
                return .success(.exported)
            case .domestic?, nil:
                guard ![.lost, .stolen, .seized, .exported].contains(status) else {
                    return .failure(.init("a firearm that is \(status.rawValue) cannot be transferred"))
                }
                // A deactivated firearm changes hands as what it is.
                return .success(status == .deactivated ? .deactivated : .registered)
            }
        case .reportedLost:
            guard ![.lost, .stolen, .exported].contains(status) else {
                return .failure(.init("the firearm is \(status.rawValue) already"))
            }
            return .success(.lost)
        case .reportedStolen:
            guard ![.stolen, .exported].contains(status) else {
                return .failure(.init("the firearm is \(status.rawValue) already"))
            }
            return .success(.stolen)
        case .seized:
            guard status != .seized else { return .failure(.init("the firearm is seized already")) }
            return .success(.seized)
        case .recovered:
            guard [.lost, .stolen].contains(status) else {
                return .failure(.init("only a lost or stolen firearm can be recovered; this one is \(status.rawValue)"))
            }
            return .success(.recovered)
        case .surrendered:
            guard ![.exported, .surrendered].contains(status) else {
                return .failure(.init("a firearm that is \(status.rawValue) cannot be surrendered"))
            }
            return .success(.surrendered)
        case .deactivated:
            guard ![.lost, .stolen, .exported, .deactivated].contains(status) else {
                return .failure(.init("a firearm that is \(status.rawValue) cannot be deactivated"))
            }
            return .success(.deactivated)
        case .destroyed:
            guard ![.lost, .stolen, .exported].contains(status) else {
                return .failure(.init("a firearm that is \(status.rawValue) cannot be destroyed here"))
            }
            return .success(.destroyed)
        }
    }
}

public struct EventRefusal: Error, Sendable, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A firearm as the API shows it.
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
    public var countryOfManufacture: String?
    public var yearOfManufacture: Int?
    public var importCountry: String?
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

    /// Nulls are written out, so a client sees every field of the record.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(reference, forKey: .reference)
        try c.encode(make, forKey: .make)
        try c.encode(model, forKey: .model)
        try c.encode(type, forKey: .type)
        try c.encode(calibre, forKey: .calibre)
        try c.encode(serial, forKey: .serial)
        try c.encode(serialNormalized, forKey: .serialNormalized)
        try c.encode(otherMarkings, forKey: .otherMarkings)
        try c.encode(countryOfManufacture, forKey: .countryOfManufacture)
        try c.encode(yearOfManufacture, forKey: .yearOfManufacture)
        try c.encode(importCountry, forKey: .importCountry)
        try c.encode(importYear, forKey: .importYear)
        try c.encode(importer, forKey: .importer)
        try c.encode(barrelLengthMM, forKey: .barrelLengthMM)
        try c.encode(action, forKey: .action)
        try c.encode(notes, forKey: .notes)
        try c.encode(status, forKey: .status)
        if let holderID { try c.encode(holderID, forKey: .holderID) } else { try c.encodeNil(forKey: .holderID) }
        try c.encode(version, forKey: .version)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// The descriptive fields a clerk registers or corrects.
public struct FirearmDescription: Sendable, Equatable {
    public var make: String
    public var model: String?
    public var type: FirearmType
    public var calibre: String
    public var serial: String
    public var otherMarkings: String?
    public var countryOfManufacture: String?
    public var yearOfManufacture: Int?
    public var importCountry: String?
    public var importYear: Int?
    public var importer: String?
    public var barrelLengthMM: Int?
    public var action: String?
    public var notes: String?

    public init(make: String, model: String? = nil, type: FirearmType, calibre: String, serial: String,
                otherMarkings: String? = nil, countryOfManufacture: String? = nil, yearOfManufacture: Int? = nil,
                importCountry: String? = nil, importYear: Int? = nil, importer: String? = nil,
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

    /// Every rule that needs no database, each failure naming its field.
    public func problems(currentYear: Int) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        func text(_ value: String?, _ field: String, max: Int, required: Bool = false) {
            guard let value else { return }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty && required { errors.append(.init(field: field, detail: "must not be empty")) }
            // Counted as PostgreSQL counts length(): code points, not grapheme clusters.
            if value.unicodeScalars.count > max { errors.append(.init(field: field, detail: "must be at most \(max) characters")) }
        }
        text(make, "make", max: 100, required: true)
        text(model, "model", max: 100)
        text(calibre, "calibre", max: 50, required: true)
        text(otherMarkings, "other_markings", max: 1000)
        text(importer, "importer", max: 200)
        text(action, "action", max: 100)
        text(notes, "notes", max: 4000)
        if serial.unicodeScalars.count > 100 {
            errors.append(.init(field: "serial", detail: "must be at most 100 characters"))
        } else if Serial.normalize(serial) == nil {
            errors.append(.init(field: "serial", detail: "must contain at least one letter or digit"))
        }
        for (value, field) in [(countryOfManufacture, "country_of_manufacture"), (importCountry, "import_country")] {
            if let value, !Country.isValid(value) {
                errors.append(.init(field: field, detail: "must be an ISO 3166-1 alpha-2 code in upper case, such as JM or US"))
            }
        }
        for (value, field) in [(yearOfManufacture, "year_of_manufacture"), (importYear, "import_year")] {
            if let value, !(1800...currentYear).contains(value) {
                errors.append(.init(field: field, detail: "must be a year from 1800 to \(currentYear)"))
            }
        }
        if let made = yearOfManufacture, let imported = importYear, imported < made {
            errors.append(.init(field: "import_year", detail: "is before the year of manufacture"))
        }
        if let length = barrelLengthMM, !(1...3000).contains(length) {
            errors.append(.init(field: "barrel_length_mm", detail: "must be from 1 to 3000"))
        }
        return errors
    }
}

/// One version of a firearm in its history.
public struct FirearmVersion: Sendable, Encodable {
    public var version: Int
    public var change: String
    public var changedBy: String
    public var changedAt: Date
    public var record: Firearm

    enum CodingKeys: String, CodingKey {
        case version, change, record
        case changedBy = "changed_by", changedAt = "changed_at"
    }
}

/// A lifecycle event as recorded.
public struct FirearmEvent: Sendable, Encodable {
    public var id: UUID
    public var firearmID: UUID
    public var kind: EventKind
    public var occurredOn: String
    public var transferKind: TransferKind?
    public var place: String?
    public var agency: String?
    public var documentRef: String?
    public var permitNumber: String?
    public var counterpartCountry: String?
    public var counterpartHolderID: UUID?
    public var notes: String?
    public var statusAfter: FirearmStatus
    public var firearmVersion: Int
    public var recordedBy: String
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, place, agency, notes
        case firearmID = "firearm_id", occurredOn = "occurred_on", transferKind = "transfer_kind"
        case documentRef = "document_ref", permitNumber = "permit_number", counterpartCountry = "counterpart_country"
        case counterpartHolderID = "counterpart_holder_id", statusAfter = "status_after"
        case firearmVersion = "firearm_version", recordedBy = "recorded_by", recordedAt = "recorded_at"
    }
}

public struct Holder: Sendable, Encodable, Equatable {
    public var id: UUID
    public var reference: String
    public var kind: String
    public var name: String
    public var idNumber: String?
    public var address: String?
    public var country: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public static let kinds = ["person", "dealer", "manufacturer", "security_company", "state_agency", "other"]

    enum CodingKeys: String, CodingKey {
        case id, reference, kind, name, address, country, version
        case idNumber = "id_number", createdAt = "created_at", updatedAt = "updated_at"
    }
}
