import ForensicsAPI
import Foundation
import ExhibitsAPI
import IFCCore
import RegistryAPI

public enum TransferStatus: String, Sendable, Codable, CaseIterable, APIEnum {
    case inTransit = "in_transit"
    case received, cancelled
}

public enum CustodyEvent: String, Sendable, Codable, CaseIterable, APIEnum {
    /// The lab takes the exhibit in (entry 1 of every chain).
    case intake
    /// The custodian sends it: in transit until received or cancelled.
    case sent
    /// The named receiver took it.
    case received
    /// The sender called the transfer back before receipt.
    case cancelled
    /// Someone outside the system took it; the sender recorded the signed receipt.
    case handedOver = "handed_over"
    /// Re-sealed (after examination) under a new seal number.
    case resealed
    /// Returned, destroyed, retained or sent to court: the chain ends.
    case disposed
}

/// Who an exhibit is sent to: one of a user of the system, a storage location, or an outside party.
public struct Party: Sendable, Equatable, Codable {
    public var kind: CustodianKind
    public var name: String
}

/// A hand-over of an exhibit.
public struct Transfer: Sendable, Codable, Equatable {
    public var id: UUID
    public var exhibitID: UUID
    public var fromKind: CustodianKind
    public var from: String
    public var sentBy: String
    public var toKind: CustodianKind
    public var to: String
    public var purpose: String
    public var sealNumber: String?
    public var sealIntact: Bool
    public var status: TransferStatus
    public var sentAt: Date
    public var receivedBy: String?
    public var receivedAt: Date?
    public var sealIntactOnReceipt: Bool?
    public var condition: String?
    public var remarks: String?
    public var receiptSHA256: String?
    public var receiptReference: String?
    public var cancelledBy: String?
    public var cancelledAt: Date?
    public var cancelReason: String?

    enum CodingKeys: String, CodingKey {
        case id, from, to, purpose, status, condition, remarks
        case exhibitID = "exhibit_id", fromKind = "from_kind", sentBy = "sent_by", toKind = "to_kind", sealNumber = "seal_number"
        case sealIntact = "seal_intact", sentAt = "sent_at", receivedBy = "received_by", receivedAt = "received_at"
        case sealIntactOnReceipt = "seal_intact_on_receipt", receiptSHA256 = "receipt_sha256", receiptReference = "receipt_reference"
        case cancelledBy = "cancelled_by", cancelledAt = "cancelled_at", cancelReason = "cancel_reason"
    }
}

/// One entry of an exhibit's chain of custody. Entry n follows entry n-1; the database refuses
/// a gap or a fork.
public struct CustodyEntry: Sendable, Codable, Equatable {
    public var seq: Int
    public var previousSeq: Int?
    public var event: CustodyEvent
    public var transferID: UUID?
    public var recordedBy: String
    public var custodianKind: CustodianKind
    public var custodian: String
    public var sealNumber: String?
    public var sealIntact: Bool?
    public var detail: [String: String]
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case seq, event, custodian, detail, at
        case previousSeq = "previous_seq", transferID = "transfer_id", recordedBy = "recorded_by", custodianKind = "custodian_kind"
        case sealNumber = "seal_number", sealIntact = "seal_intact"
    }
}

/// The whole chain of one exhibit, and the transfer open now, if any.
public struct Custody: Sendable, Encodable {
    public var exhibitID: UUID
    public var reference: String
    public var status: ExhibitStatus
    public var custodianKind: CustodianKind
    public var custodian: String
    public var openTransfer: Transfer?
    public var entries: [CustodyEntry]

    enum CodingKeys: String, CodingKey {
        case reference, status, custodian, entries
        case exhibitID = "exhibit_id", custodianKind = "custodian_kind", openTransfer = "open_transfer"
    }
}

/// What the sender states when putting an exhibit in transit.
public struct NewTransfer: Sendable, Equatable {
    public var to: Party
    public var purpose: String
    public var sealNumber: String?
    public var sealIntact: Bool
}

/// What the receiver (or, for an outside party, the sender) records on receipt.
public struct NewReceipt: Sendable, Equatable {
    public var sealIntact: Bool
    public var condition: String?
    public var remarks: String?
    public var receiptSHA256: String?
    public var receiptReference: String?
}

extension DispositionKind {
    /// The registry event a firearm exhibit's disposition appends (through the registry's intake,
    /// in the same transaction): none when the firearm stays seized (retained, at court).
    public var registryEvent: EventKind? {
        switch self {
        case .destroyed: .destroyed
        case .returnedToOwner: .returnedToOwner
        case .confiscated: .confiscated
        case .retained, .transferredToCourt: nil
        }
    }
}

public struct NewDisposition: Sendable, Equatable {
    public var kind: DispositionKind
    public var authority: String
    public var date: CalendarDate
    public var remarks: String?
    /// A destruction's certificate (required for one), and the standard it meets.
    public var certificateNumber: String? = nil
    public var certificateStandard: String? = nil
    /// A destruction's two witnesses: users other than the one who records it.
    public var witnesses: [String] = []

    /// The rules of the disposition itself, each naming its field.
    func problems(recordedBy: String) -> [Problem.FieldError] {
        var checks = FieldRules()
        if kind == .destroyed {
            let distinct = Set(witnesses.map { $0.lowercased() })
            if witnesses.count != 2 {
                checks.add("witnesses", "a destruction names two witnesses (usernames)")
            } else if distinct.count != 2 {
                checks.add("witnesses", "names the same witness twice")
            } else if distinct.contains(recordedBy.lowercased()) {
                checks.add("witnesses", "names \(recordedBy), who records the destruction: the witnesses are two other users")
            }
            if certificateNumber == nil { checks.add("certificate_number", "is required for a destruction: the destruction certificate") }
        } else {
            if !witnesses.isEmpty { checks.add("witnesses", "are named only for a destruction") }
            if certificateNumber != nil { checks.add("certificate_number", "applies only to a destruction") }
            if certificateStandard != nil { checks.add("certificate_standard", "applies only to a destruction") }
        }
        return checks.list
    }
}
