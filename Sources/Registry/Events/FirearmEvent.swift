import Foundation
import IFCCore

public enum TransferKind: String, Sendable, Codable, CaseIterable {
    case domestic, `import`, export
}

/// The lifecycle events of a firearm; which may follow which is `EventTransitions.table`.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case manufactured, imported, registered, licensed, transferred
    case reportedLost = "reported_lost"
    case reportedStolen = "reported_stolen"
    case seized, recovered, surrendered, deactivated, destroyed
}

/// A lifecycle event as a clerk reports it.
public struct NewEvent: Sendable {
    public var kind: EventKind
    public var occurredOn: CalendarDate
    public var transferKind: TransferKind?
    public var place: String?
    public var agency: String?
    public var documentRef: String?
    public var permitNumber: String?
    public var counterpartCountry: Country?
    public var counterpartHolderID: UUID?
    public var notes: String?

    public init(kind: EventKind, occurredOn: CalendarDate, transferKind: TransferKind? = nil, place: String? = nil,
                agency: String? = nil, documentRef: String? = nil, permitNumber: String? = nil, counterpartCountry: Country? = nil,
                counterpartHolderID: UUID? = nil, notes: String? = nil) {
        self.kind = kind
        self.occurredOn = occurredOn
        self.transferKind = transferKind
        self.place = place
        self.agency = agency
        self.documentRef = documentRef
        self.permitNumber = permitNumber
        self.counterpartCountry = counterpartCountry
        self.counterpartHolderID = counterpartHolderID
        self.notes = notes
    }
}

/// A lifecycle event as recorded. Events are never changed or removed (the database refuses it).
public struct FirearmEvent: Sendable, Encodable {
    public var id: UUID
    public var firearmID: UUID
    public var kind: EventKind
    public var occurredOn: CalendarDate
    public var transferKind: TransferKind?
    public var place: String?
    public var agency: String?
    public var documentRef: String?
    public var permitNumber: String?
    public var counterpartCountry: Country?
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

/// What `POST /v1/firearms/{id}/events` answers: the event and the firearm as it became.
struct EventResult: Encodable {
    var event: FirearmEvent
    var firearm: Firearm
}
