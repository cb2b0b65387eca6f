import Foundation
import IFCCore
import RegistryAPI

/// Where the items were seized, as UNODC's arms-flows questionnaire counts seizures.
public enum SeizureContext: String, Sendable, Codable, CaseIterable, APIEnum {
    case borderCrossing = "border_crossing"
    case port, airport, mail, inland
}

/// What a person had to do with the seizure. No more personal data than the case needs: a role
/// and a nationality, no names (those stay in the agency's own file).
public enum PersonRole: String, Sendable, Codable, CaseIterable, APIEnum {
    case suspect, courier, owner, consignor, consignee, witness, other
}

public enum PartKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case frame, receiver, slide, barrel, bolt
    case breechBlock = "breech_block"
    case cylinder, magazine, silencer, other
}

/// Whether a seized firearm's registry record existed or was created as an illicit find.
public enum RegistryRecordKind: String, Sendable, Codable, CaseIterable {
    case existing
    case illicitFind = "illicit_find"
}

public struct SeizedPerson: Sendable, Codable, Equatable {
    public var role: PersonRole
    public var nationality: Country?

    enum CodingKeys: String, CodingKey, CaseIterable { case role, nationality }

    public init(role: PersonRole, nationality: Country?) {
        self.role = role
        self.nationality = nationality
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(PersonRole.self, forKey: .role)
        nationality = try c.decodeIfPresent(Country.self, forKey: .nationality)
    }
}

/// Parts and components seized apart from a firearm (Firearms Protocol Art 3).
public struct SeizedPart: Sendable, Codable, Equatable {
    public var kind: PartKind
    public var quantity: Int
    public var description: String?
    public var marking: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, quantity, description, marking }

    public init(kind: PartKind, quantity: Int, description: String? = nil, marking: String? = nil) {
        self.kind = kind
        self.quantity = quantity
        self.description = description
        self.marking = marking
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(PartKind.self, forKey: .kind)
        quantity = try c.decode(Int.self, forKey: .quantity)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        marking = try c.decodeIfPresent(String.self, forKey: .marking)
    }
}

public struct SeizedAmmunition: Sendable, Codable, Equatable {
    public var calibre: String
    public var quantity: Int
    public var headstamp: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case calibre, quantity, headstamp }

    public init(calibre: String, quantity: Int, headstamp: String? = nil) {
        self.calibre = calibre
        self.quantity = quantity
        self.headstamp = headstamp
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calibre = try c.decode(String.self, forKey: .calibre)
        quantity = try c.decode(Int.self, forKey: .quantity)
        headstamp = try c.decodeIfPresent(String.self, forKey: .headstamp)
    }
}

/// A seized firearm as the seizure shows it: the registry record it is.
public struct SeizedFirearm: Sendable, Codable, Equatable {
    public var firearmID: UUID
    public var firearmReference: String
    public var registryRecord: RegistryRecordKind

    public init(firearmID: UUID, firearmReference: String, registryRecord: RegistryRecordKind) {
        self.firearmID = firearmID
        self.firearmReference = firearmReference
        self.registryRecord = registryRecord
    }

    enum CodingKeys: String, CodingKey {
        case firearmID = "firearm_id", firearmReference = "firearm_reference", registryRecord = "registry_record"
    }
}

/// The fields of a seizure that a correction may change (the firearms are registry records with
/// their own `seized` events, and are not changed by a correction).
public struct SeizureFields: Sendable, Codable, Equatable {
    public var agency: String
    public var officer: String
    public var seizedOn: CalendarDate
    public var country: Country
    public var region: String?
    public var place: String?
    public var latitude: Double?
    public var longitude: Double?
    public var context: SeizureContext
    public var concealment: String?
    public var persons: [SeizedPerson]
    public var parts: [SeizedPart]
    public var ammunition: [SeizedAmmunition]
    public var notes: String?

    public init(agency: String, officer: String, seizedOn: CalendarDate, country: Country, region: String? = nil,
                place: String? = nil, latitude: Double? = nil, longitude: Double? = nil, context: SeizureContext,
                concealment: String? = nil, persons: [SeizedPerson], parts: [SeizedPart], ammunition: [SeizedAmmunition],
                notes: String? = nil) {
        self.agency = agency
        self.officer = officer
        self.seizedOn = seizedOn
        self.country = country
        self.region = region
        self.place = place
        self.latitude = latitude
        self.longitude = longitude
        self.context = context
        self.concealment = concealment
        self.persons = persons
        self.parts = parts
        self.ammunition = ammunition
        self.notes = notes
    }
}

/// A seizure as the API shows it. Every field is written, absent ones as null.
public struct Seizure: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var agency: String
    public var officer: String
    public var seizedOn: CalendarDate
    public var country: Country
    public var region: String?
    public var place: String?
    public var latitude: Double?
    public var longitude: Double?
    public var context: SeizureContext
    public var concealment: String?
    public var persons: [SeizedPerson]
    public var firearms: [SeizedFirearm]
    public var parts: [SeizedPart]
    public var ammunition: [SeizedAmmunition]
    public var notes: String?
    public var createdBy: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, reference: String, agency: String, officer: String, seizedOn: CalendarDate, country: Country,
                region: String? = nil, place: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
                context: SeizureContext, concealment: String? = nil, persons: [SeizedPerson], firearms: [SeizedFirearm],
                parts: [SeizedPart], ammunition: [SeizedAmmunition], notes: String? = nil, createdBy: String, version: Int,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.reference = reference
        self.agency = agency
        self.officer = officer
        self.seizedOn = seizedOn
        self.country = country
        self.region = region
        self.place = place
        self.latitude = latitude
        self.longitude = longitude
        self.context = context
        self.concealment = concealment
        self.persons = persons
        self.firearms = firearms
        self.parts = parts
        self.ammunition = ammunition
        self.notes = notes
        self.createdBy = createdBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, agency, officer, country, region, place, latitude, longitude, context, concealment, persons, firearms
        case parts, ammunition, notes, version
        case seizedOn = "seized_on", createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at"
    }

    public var fields: SeizureFields {
        SeizureFields(agency: agency, officer: officer, seizedOn: seizedOn, country: country, region: region, place: place,
                      latitude: latitude, longitude: longitude, context: context, concealment: concealment, persons: persons,
                      parts: parts, ammunition: ammunition, notes: notes)
    }
}

/// A firearm named by a new seizure: a registry record, or a description to record as an illicit find.
public enum SeizedFirearmInput: Sendable {
    case registered(UUID)
    case illicitFind(FirearmDescription)
}

/// A seizure as a clerk records it.
public struct NewSeizure: Sendable {
    public var fields: SeizureFields
    public var firearms: [SeizedFirearmInput]

    public init(fields: SeizureFields, firearms: [SeizedFirearmInput]) {
        self.fields = fields
        self.firearms = firearms
    }
}
