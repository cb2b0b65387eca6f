import Foundation
import IFCCore
import RegistryAPI

public enum LicenceKind: String, Sendable, Codable, CaseIterable {
    case possession, carry, dealer, manufacturer, collector, security, other
}

/// The status a clerk sets. `EffectiveStatus` adds what the calendar says.
public enum LicenceStatus: String, Sendable, Codable, CaseIterable {
    case active, suspended, revoked
}

public enum EffectiveStatus: String, Sendable, Codable, CaseIterable {
    case valid, expired, suspended, revoked
    case notYetValid = "not_yet_valid"
}

/// A condition a licence is issued under (EU 2021/555 Art 5: storage, carrying, purpose).
public struct LicenceCondition: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case storage, carry, purpose, other
    }
    public var kind: Kind
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// A firearm the licence covered until its holder handed it over.
public struct EndedCover: Sendable, Codable, Equatable {
    public var firearmID: UUID
    /// The transfer that ended the cover.
    public var eventID: UUID
    public var endedOn: CalendarDate

    enum CodingKeys: String, CodingKey {
        case firearmID = "firearm_id", eventID = "event_id", endedOn = "ended_on"
    }
}

/// A licence as the API shows it, with its effective status on the day it is read: a licence
/// past its end date reads `expired` even though nobody changed it.
public struct Licence: Sendable, Codable {
    public var id: UUID
    public var number: String
    public var holderID: UUID
    public var kind: LicenceKind
    public var issuingAuthority: String
    public var validFrom: CalendarDate
    public var validUntil: CalendarDate
    public var status: LicenceStatus
    public var statusReason: String?
    public var effectiveStatus: EffectiveStatus
    /// The firearms it covers now: a firearm its holder handed over leaves it (`endedCover`).
    public var firearmIDs: [UUID]
    public var endedCover: [EndedCover]?
    public var conditions: [LicenceCondition]?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, number, kind, status, version, conditions
        case endedCover = "ended_cover"
        case holderID = "holder_id", issuingAuthority = "issuing_authority", validFrom = "valid_from", validUntil = "valid_until"
        case statusReason = "status_reason", effectiveStatus = "effective_status", firearmIDs = "firearm_ids"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

public struct NewLicence: Sendable {
    public var holderID: UUID
    public var number: String
    public var kind: LicenceKind
    public var issuingAuthority: String
    public var validFrom: CalendarDate
    public var validUntil: CalendarDate
    public var firearmIDs: [UUID]
    public var conditions: [LicenceCondition]

    public init(holderID: UUID, number: String, kind: LicenceKind, issuingAuthority: String, validFrom: CalendarDate,
                validUntil: CalendarDate, firearmIDs: [UUID] = [], conditions: [LicenceCondition] = []) {
        self.holderID = holderID
        self.number = number
        self.kind = kind
        self.issuingAuthority = issuingAuthority
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.firearmIDs = firearmIDs
        self.conditions = conditions
    }
}

/// A change of status or end date.
public struct LicenceChanges: Sendable {
    public var status: LicenceStatus?
    public var statusReason: String?
    public var validUntil: CalendarDate?
    /// Replaces the conditions when given.
    public var conditions: [LicenceCondition]?

    public init(status: LicenceStatus? = nil, statusReason: String? = nil, validUntil: CalendarDate? = nil,
                conditions: [LicenceCondition]? = nil) {
        self.status = status
        self.statusReason = statusReason
        self.validUntil = validUntil
        self.conditions = conditions
    }
}
