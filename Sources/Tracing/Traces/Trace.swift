import Foundation
import Forensics
import IFCCore
import Registry

/// Whether this country asks (outgoing) or is asked (incoming).
public enum TraceDirection: String, Sendable, Codable, CaseIterable, APIEnum {
    case outgoing, incoming
}

/// Where a request stands; which may follow which is `TraceStatus.next` (Rules/).
public enum TraceStatus: String, Sendable, Codable, CaseIterable, APIEnum {
    case draft, sent, acknowledged, answered, closed
}

/// How a request travels. INTERPOL (iARMS) is a channel, never an addressee.
public enum TraceChannel: String, Sendable, Codable, CaseIterable, APIEnum {
    case iarms, etrace, diplomatic, bilateral, other
}

public enum TraceUrgency: String, Sendable, Codable, CaseIterable, APIEnum {
    case routine, urgent
}

/// Who is asked: a state, or a manufacturer or importer (with its country).
public enum AddresseeKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case state, manufacturer, importer
}

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

/// The fields a liaison officer writes on a request (a draft while outgoing).
public struct TraceFields: Sendable, Equatable {
    public var addressee: Addressee?
    public var requestingState: Country?
    public var foreignReference: String?
    public var receivedOn: CalendarDate?
    public var channel: TraceChannel
    public var requestingOfficer: String?
    public var requestingAgency: String?
    public var firearm: FoundFirearm?
    public var circumstances: Circumstances?
    public var legalBasis: String?
    public var illicitNature: String?
    public var intendedUse: String?
    public var urgency: TraceUrgency
    public var deadline: CalendarDate?
    public var confidentiality: Confidentiality
    public var restrictions: String?
    public var seizureID: UUID?
    public var caseID: UUID?
    public var firearmID: UUID?
    public var parentID: UUID?
    /// The ballistic exhibit the draft was made from (exhibits module).
    public var exhibitID: UUID?
}

/// Who moved a request to a status, and when.
public struct TraceStep: Sendable, Codable, Equatable {
    public var by: String
    public var at: Date
}

/// The legal review that lets personal data leave the country.
public struct LegalReview: Sendable, Codable, Equatable {
    public var approvedBy: String
    public var note: String?
    public var recordedBy: String
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case note
        case approvedBy = "approved_by", recordedBy = "recorded_by", recordedAt = "recorded_at"
    }
}

/// Time-to-crime from a traced answer: days from the first retail sale to the recovery, and
/// days since the last lawful import; flagged under the configured threshold and under a year.
public struct TimeToCrime: Sendable, Codable, Equatable {
    public var daysFromFirstRetailSale: Int?
    public var daysSinceLastLawfulImport: Int?
    public var thresholdYears: Int
    public var underThreshold: Bool
    public var underOneYear: Bool

    enum CodingKeys: String, CodingKey {
        case daysFromFirstRetailSale = "days_from_first_retail_sale", daysSinceLastLawfulImport = "days_since_last_lawful_import"
        case thresholdYears = "threshold_years", underThreshold = "under_threshold", underOneYear = "under_one_year"
    }
}

/// A tracing request (`TR-2026-000045`) as the API shows it.
public struct Trace: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var direction: TraceDirection
    public var status: TraceStatus
    public var parentID: UUID?
    public var addressee: Addressee?
    public var requestingState: Country?
    public var foreignReference: String?
    public var receivedOn: CalendarDate?
    public var channel: TraceChannel
    public var requestingOfficer: String?
    public var requestingAgency: String?
    public var firearm: FoundFirearm?
    public var serialNormalized: String?
    public var circumstances: Circumstances?
    public var personalData: Bool
    public var legalBasis: String?
    public var illicitNature: String?
    public var intendedUse: String?
    public var urgency: TraceUrgency
    public var deadline: CalendarDate?
    public var confidentiality: Confidentiality
    public var restrictions: String?
    public var seizureID: UUID?
    public var caseID: UUID?
    public var firearmID: UUID?
    public var exhibitID: UUID?
    public var legalReview: LegalReview?
    public var sent: TraceStep?
    public var acknowledged: TraceStep?
    public var answered: TraceStep?
    public var closed: TraceStep?
    public var createdBy: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reference, direction, status, addressee, channel, firearm, circumstances, urgency, deadline, confidentiality
        case restrictions, sent, acknowledged, answered, closed, version
        case parentID = "parent_id", requestingState = "requesting_state", foreignReference = "foreign_reference"
        case receivedOn = "received_on", requestingOfficer = "requesting_officer", requestingAgency = "requesting_agency"
        case serialNormalized = "serial_normalized", personalData = "personal_data", legalBasis = "legal_basis"
        case illicitNature = "illicit_nature", intendedUse = "intended_use", seizureID = "seizure_id", caseID = "case_id"
        case firearmID = "firearm_id", exhibitID = "exhibit_id", legalReview = "legal_review", createdBy = "created_by", createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    var fields: TraceFields {
        TraceFields(addressee: addressee, requestingState: requestingState, foreignReference: foreignReference, receivedOn: receivedOn,
                    channel: channel, requestingOfficer: requestingOfficer, requestingAgency: requestingAgency, firearm: firearm,
                    circumstances: circumstances, legalBasis: legalBasis, illicitNature: illicitNature, intendedUse: intendedUse,
                    urgency: urgency, deadline: deadline, confidentiality: confidentiality, restrictions: restrictions,
                    seizureID: seizureID, caseID: caseID, firearmID: firearmID, parentID: parentID, exhibitID: exhibitID)
    }
}

/// A request with what has come of it, as `GET /v1/traces/{id}` shows it.
public struct TraceDetail: Sendable, Encodable {
    public var trace: Trace
    public var answer: TraceAnswer?
    public var timeToCrime: TimeToCrime?
    public var responseDays: Int?

    enum CodingKeys: String, CodingKey {
        case answer
        case timeToCrime = "time_to_crime", responseDays = "response_days"
    }

    public func encode(to encoder: any Encoder) throws {
        try trace.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(answer, forKey: .answer)
        try c.encode(timeToCrime, forKey: .timeToCrime)
        try c.encode(responseDays, forKey: .responseDays)
    }
}
