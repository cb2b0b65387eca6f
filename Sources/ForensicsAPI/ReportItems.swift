import Foundation
import IFCCore

/// An exhibit of the case as the exhibits module records it, for the case's report: what was
/// received, its condition and seal on receipt, and its chain of custody (ISO/IEC 17025 §7.4,
/// §7.8.2.1 g–h).
public struct ReportExhibit: Sendable, Codable, Equatable {
    public var reference: String
    public var barcode: String
    public var kind: String
    public var description: String
    public var quantity: Int
    public var receivedOn: CalendarDate
    public var conditionOnReceipt: String?
    public var sealNumber: String?
    public var sealBroken: Bool
    public var custody: [CustodyStep]

    public struct CustodyStep: Sendable, Codable, Equatable {
        public var event: String
        public var custodian: String
        public var recordedBy: String
        public var at: Date
        public var sealNumber: String?
        public var sealIntact: Bool?

        public init(event: String, custodian: String, recordedBy: String, at: Date, sealNumber: String?, sealIntact: Bool?) {
            self.event = event
            self.custodian = custodian
            self.recordedBy = recordedBy
            self.at = at
            self.sealNumber = sealNumber
            self.sealIntact = sealIntact
        }

        enum CodingKeys: String, CodingKey {
            case event, custodian, at
            case recordedBy = "recorded_by", sealNumber = "seal_number", sealIntact = "seal_intact"
        }
    }

    public init(reference: String, barcode: String, kind: String, description: String, quantity: Int, receivedOn: CalendarDate,
                conditionOnReceipt: String?, sealNumber: String?, sealBroken: Bool, custody: [CustodyStep]) {
        self.reference = reference
        self.barcode = barcode
        self.kind = kind
        self.description = description
        self.quantity = quantity
        self.receivedOn = receivedOn
        self.conditionOnReceipt = conditionOnReceipt
        self.sealNumber = sealNumber
        self.sealBroken = sealBroken
        self.custody = custody
    }

    enum CodingKeys: String, CodingKey {
        case reference, barcode, kind, description, quantity, custody
        case receivedOn = "received_on", conditionOnReceipt = "condition_on_receipt", sealNumber = "seal_number", sealBroken = "seal_broken"
    }
}

/// What a module that keeps a case's exhibits offers the case's report. The exhibits module
/// reads this module, so this one cannot name it: the source is passed in when the modules are
/// built (`Forensics.init(…exhibits:)`), and its reads stay its own, audited as the caller's.
public protocol CaseExhibitSource: Sendable {
    func reportExhibits(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [ReportExhibit]
}
