import Foundation
import IFCCore

public enum HolderKind: String, Sendable, Codable, CaseIterable {
    case person, dealer, manufacturer
    case securityCompany = "security_company"
    case stateAgency = "state_agency"
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
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reference, kind, name, address, country, version
        case idNumber = "id_number", createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// A holder as a clerk records it.
public struct NewHolder: Sendable, Equatable {
    public var kind: HolderKind
    public var name: String
    public var idNumber: String?
    public var address: String?
    public var country: Country

    public init(kind: HolderKind, name: String, idNumber: String? = nil, address: String? = nil, country: Country) {
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.address = address
        self.country = country
    }
}

/// A change to a holder: the fields given replace the current ones.
public struct HolderChanges: Sendable, Equatable {
    public var kind: HolderKind?
    public var name: String?
    public var idNumber: String?
    public var address: String?
    public var country: Country?

    public init(kind: HolderKind? = nil, name: String? = nil, idNumber: String? = nil, address: String? = nil, country: Country? = nil) {
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.address = address
        self.country = country
    }

    public func applied(to h: Holder) -> NewHolder {
        NewHolder(kind: kind ?? h.kind, name: name ?? h.name, idNumber: idNumber ?? h.idNumber, address: address ?? h.address,
                  country: country ?? h.country)
    }
}

extension Holder {
    var fields: NewHolder { NewHolder(kind: kind, name: name, idNumber: idNumber, address: address, country: country) }
}
