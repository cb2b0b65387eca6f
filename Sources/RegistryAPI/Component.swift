import Foundation
import IFCCore

/// The essential components of EU 2021/555 Art 1 that carry markings of their own.
public enum ComponentPart: String, Sendable, Codable, CaseIterable {
    case frame, receiver, slide, barrel, bolt
    case breechBlock = "breech_block"
    case cylinder
}

/// An essential component with its own markings: part of a firearm, or a loose component with
/// a record and a lifecycle of its own (lost, stolen, seized, destroyed).
public struct Component: Sendable, Codable, Equatable {
    public var id: UUID
    public var reference: String
    public var firearmID: UUID?
    public var part: ComponentPart
    public var make: String?
    public var calibre: String?
    public var serial: String?
    public var serialNormalized: String?
    public var otherMarkings: String?
    public var status: FirearmStatus
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, reference: String, firearmID: UUID? = nil, part: ComponentPart, make: String? = nil,
                calibre: String? = nil, serial: String? = nil, serialNormalized: String? = nil, otherMarkings: String? = nil,
                status: FirearmStatus, version: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.reference = reference
        self.firearmID = firearmID
        self.part = part
        self.make = make
        self.calibre = calibre
        self.serial = serial
        self.serialNormalized = serialNormalized
        self.otherMarkings = otherMarkings
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, part, make, calibre, serial, status, version
        case firearmID = "firearm_id", serialNormalized = "serial_normalized", otherMarkings = "other_markings"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

public struct NewComponent: Sendable, Equatable {
    public var part: ComponentPart
    public var make: String?
    public var calibre: String?
    public var serial: String?
    public var otherMarkings: String?

    public init(part: ComponentPart, make: String? = nil, calibre: String? = nil, serial: String? = nil, otherMarkings: String? = nil) {
        self.part = part
        self.make = make
        self.calibre = calibre
        self.serial = serial
        self.otherMarkings = otherMarkings
    }
}

/// A lifecycle event of a loose component.
public struct ComponentEvent: Sendable, Codable {
    public var id: UUID
    public var componentID: UUID
    public var kind: EventKind
    public var occurredOn: CalendarDate
    public var place: String?
    public var agency: String?
    public var notes: String?
    public var statusAfter: FirearmStatus
    public var recordedBy: String
    public var recordedAt: Date

    public init(id: UUID, componentID: UUID, kind: EventKind, occurredOn: CalendarDate, place: String? = nil,
                agency: String? = nil, notes: String? = nil, statusAfter: FirearmStatus, recordedBy: String, recordedAt: Date) {
        self.id = id
        self.componentID = componentID
        self.kind = kind
        self.occurredOn = occurredOn
        self.place = place
        self.agency = agency
        self.notes = notes
        self.statusAfter = statusAfter
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, place, agency, notes
        case componentID = "component_id", occurredOn = "occurred_on", statusAfter = "status_after"
        case recordedBy = "recorded_by", recordedAt = "recorded_at"
    }
}
