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
    case found, confiscated
    case returnedToOwner = "returned_to_owner"
    /// A change of category or of characteristics (EU 2021/555 Art 4(4)).
    case converted
    /// Marks another event as recorded in error: it stays readable; the status is recomputed without it.
    case voided
}

/// What a conversion changed.
public enum ConversionKind: String, Sendable, Codable, CaseIterable {
    case automaticFire = "automatic_fire"
    case reactivated
    case alarmToLiveFire = "alarm_to_live_fire"
    case calibreChange = "calibre_change"
    case barrelShortened = "barrel_shortened"
    case other
}

/// The fields of an event beyond its kind, date and parties: voiding, back-capture,
/// certificates and conversions.
public struct EventDetails: Sendable, Equatable, Codable {
    /// For `voided`: the event recorded in error.
    public var voidsEventID: UUID?
    /// Why an event is voided.
    public var reason: String?
    /// Back-captured from an older record, which may predate the latest event.
    public var historical: Bool
    /// The paper record a historical event comes from.
    public var sourceDocument: String?
    /// The authority that decided (court, licensing authority, proof house).
    public var authority: String?
    /// Deactivation or destruction certificate.
    public var certificateNumber: String?
    /// The standard the deactivation or destruction meets (e.g. Regulation (EU) 2018/337).
    public var certificateStandard: String?
    public var conversion: ConversionKind?
    public var categoryBefore: String?
    public var categoryAfter: String?

    public init(voidsEventID: UUID? = nil, reason: String? = nil, historical: Bool = false, sourceDocument: String? = nil,
                authority: String? = nil, certificateNumber: String? = nil, certificateStandard: String? = nil,
                conversion: ConversionKind? = nil, categoryBefore: String? = nil, categoryAfter: String? = nil) {
        self.voidsEventID = voidsEventID
        self.reason = reason
        self.historical = historical
        self.sourceDocument = sourceDocument
        self.authority = authority
        self.certificateNumber = certificateNumber
        self.certificateStandard = certificateStandard
        self.conversion = conversion
        self.categoryBefore = categoryBefore
        self.categoryAfter = categoryAfter
    }

    enum CodingKeys: String, CodingKey {
        case reason, historical, authority, conversion
        case voidsEventID = "voids_event_id", sourceDocument = "source_document", certificateNumber = "certificate_number"
        case certificateStandard = "certificate_standard", categoryBefore = "category_before", categoryAfter = "category_after"
    }
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
    public var details: EventDetails
    /// For an export or import: licences, countries and parties.
    public var crossBorder: CrossBorder?

    public init(kind: EventKind, occurredOn: CalendarDate, transferKind: TransferKind? = nil, place: String? = nil,
                agency: String? = nil, documentRef: String? = nil, permitNumber: String? = nil, counterpartCountry: Country? = nil,
                counterpartHolderID: UUID? = nil, notes: String? = nil, details: EventDetails = EventDetails(),
                crossBorder: CrossBorder? = nil) {
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
        self.details = details
        self.crossBorder = crossBorder
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
    public var details: EventDetails
    /// The `voided` event that marks this one as recorded in error, if any.
    public var voidedBy: UUID?
    /// For a transfer: who handed the firearm over.
    public var fromHolderID: UUID?
    public var crossBorder: CrossBorder?
    /// The consignment this transfer was part of.
    public var consignmentID: UUID?

    public init(id: UUID, firearmID: UUID, kind: EventKind, occurredOn: CalendarDate, transferKind: TransferKind? = nil,
                place: String? = nil, agency: String? = nil, documentRef: String? = nil, permitNumber: String? = nil,
                counterpartCountry: Country? = nil, counterpartHolderID: UUID? = nil, notes: String? = nil,
                statusAfter: FirearmStatus, firearmVersion: Int, recordedBy: String, recordedAt: Date, details: EventDetails,
                voidedBy: UUID? = nil, fromHolderID: UUID? = nil, crossBorder: CrossBorder? = nil, consignmentID: UUID? = nil) {
        self.id = id
        self.firearmID = firearmID
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
        self.statusAfter = statusAfter
        self.firearmVersion = firearmVersion
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.details = details
        self.voidedBy = voidedBy
        self.fromHolderID = fromHolderID
        self.crossBorder = crossBorder
        self.consignmentID = consignmentID
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, place, agency, notes
        case firearmID = "firearm_id", occurredOn = "occurred_on", transferKind = "transfer_kind"
        case documentRef = "document_ref", permitNumber = "permit_number", counterpartCountry = "counterpart_country"
        case counterpartHolderID = "counterpart_holder_id", statusAfter = "status_after"
        case firearmVersion = "firearm_version", recordedBy = "recorded_by", recordedAt = "recorded_at", voidedBy = "voided_by"
        case fromHolderID = "from_holder_id", crossBorder = "cross_border", consignmentID = "consignment_id"
    }

    /// One flat object: the event's fields and its details side by side.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(firearmID, forKey: .firearmID)
        try c.encode(kind, forKey: .kind)
        try c.encode(occurredOn, forKey: .occurredOn)
        try c.encodeIfPresent(transferKind, forKey: .transferKind)
        try c.encodeIfPresent(place, forKey: .place)
        try c.encodeIfPresent(agency, forKey: .agency)
        try c.encodeIfPresent(documentRef, forKey: .documentRef)
        try c.encodeIfPresent(permitNumber, forKey: .permitNumber)
        try c.encodeIfPresent(counterpartCountry, forKey: .counterpartCountry)
        try c.encodeIfPresent(counterpartHolderID, forKey: .counterpartHolderID)
        try c.encodeIfPresent(notes, forKey: .notes)
        try c.encode(statusAfter, forKey: .statusAfter)
        try c.encode(firearmVersion, forKey: .firearmVersion)
        try c.encode(recordedBy, forKey: .recordedBy)
        try c.encode(recordedAt, forKey: .recordedAt)
        try c.encodeIfPresent(voidedBy, forKey: .voidedBy)
        try c.encodeIfPresent(fromHolderID, forKey: .fromHolderID)
        try c.encodeIfPresent(crossBorder, forKey: .crossBorder)
        try c.encodeIfPresent(consignmentID, forKey: .consignmentID)
        try details.encode(to: encoder)
    }
}
