import Foundation
import IFCCore

public enum HolderKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case person, dealer
    /// EU Directive 2021/555 treats dealers and brokers alike; a broker arranges transactions
    /// without holding the firearms.
    case broker
    case manufacturer
    case securityCompany = "security_company"
    case stateAgency = "state_agency"
    case other
}

/// The document whose number `id_number` is.
public enum IDDocumentKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case nationalID = "national_id"
    case passport
    case driverLicence = "driver_licence"
    case companyRegistration = "company_registration"
    case other
}

/// A person or organisation that holds firearms or licences. Every change is a new version
/// (`GET /v1/holders/{id}/history`), so an old address stays readable.
public struct Holder: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var kind: HolderKind
    public var name: String
    public var idNumber: String?
    public var address: String?
    public var country: Country
    /// Nil for organisations, and in versions recorded before the field existed (as the next two).
    public var dateOfBirth: CalendarDate?
    public var nationality: Country?
    public var idDocumentKind: IDDocumentKind?
    /// A dealer or broker that ceased trading: when, and the authority its register passed to.
    public var ceasedOn: CalendarDate?
    public var ceasedAuthority: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, reference: String, kind: HolderKind, name: String, idNumber: String? = nil, address: String? = nil,
                country: Country, dateOfBirth: CalendarDate? = nil, nationality: Country? = nil,
                idDocumentKind: IDDocumentKind? = nil, ceasedOn: CalendarDate? = nil, ceasedAuthority: String? = nil,
                version: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.reference = reference
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.address = address
        self.country = country
        self.dateOfBirth = dateOfBirth
        self.nationality = nationality
        self.idDocumentKind = idDocumentKind
        self.ceasedOn = ceasedOn
        self.ceasedAuthority = ceasedAuthority
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, kind, name, address, country, nationality, version
        case idNumber = "id_number", createdAt = "created_at", updatedAt = "updated_at"
        case dateOfBirth = "date_of_birth", idDocumentKind = "id_document_kind"
        case ceasedOn = "ceased_on", ceasedAuthority = "ceased_authority"
    }
}

/// A holder as a clerk records it.
public struct NewHolder: Sendable, Equatable {
    public var kind: HolderKind
    public var name: String
    public var idNumber: String?
    public var address: String?
    public var country: Country
    public var dateOfBirth: CalendarDate?
    public var nationality: Country?
    public var idDocumentKind: IDDocumentKind?

    public init(kind: HolderKind, name: String, idNumber: String? = nil, address: String? = nil, country: Country,
                dateOfBirth: CalendarDate? = nil, nationality: Country? = nil, idDocumentKind: IDDocumentKind? = nil) {
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.address = address
        self.country = country
        self.dateOfBirth = dateOfBirth
        self.nationality = nationality
        self.idDocumentKind = idDocumentKind
    }
}

extension Holder {
    public var fields: NewHolder {
        NewHolder(kind: kind, name: name, idNumber: idNumber, address: address, country: country, dateOfBirth: dateOfBirth,
                  nationality: nationality, idDocumentKind: idDocumentKind)
    }
}
