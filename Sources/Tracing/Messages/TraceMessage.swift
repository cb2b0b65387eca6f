import Foundation
import ForensicsAPI
import IFCCore

/// What a message about a request is.
public enum MessageKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case acknowledgement
    case informationRequest = "information_request"
    case followUp = "follow_up"
    case answer
}

/// Whether this country received the message or sent it.
public enum MessageDirection: String, Sendable, Codable, CaseIterable, APIEnum {
    case received, sent
}

/// What an answer says: traced, not traced (with the reason), or delayed or restricted (ITI
/// para 22 allows both, with the reason).
public enum AnswerOutcome: String, Sendable, Codable, CaseIterable, APIEnum {
    case traced
    case notTraced = "not_traced"
    case delayed, restricted

    /// Whether the answer concludes the request (a delay does not).
    var concludes: Bool { self != .delayed }
}

/// Why a firearm could not be traced.
public enum NotTracedReason: String, Sendable, Codable, CaseIterable, APIEnum {
    case noRecord = "no_record"
    case recordTooOld = "record_too_old"
    case insufficientMarking = "insufficient_marking"
    case invalidMarking = "invalid_marking"
    case dealerRecordsUnavailable = "dealer_records_unavailable"
    case stateOwned = "state_owned"
    case refused, other
}

/// A step of the chain of lawful transfers.
public enum TransferStepKind: String, Sendable, Codable, CaseIterable, APIEnum {
    case manufacture, export, `import`
    case retailSale = "retail_sale"
    case transfer, licence, other
}

/// One lawful transfer: when, what, from whom to whom, in which country.
public struct TransferStep: Sendable, Codable, Equatable {
    public var on: CalendarDate
    public var kind: TransferStepKind
    public var from: String?
    public var to: String?
    public var country: Country

    enum CodingKeys: String, CodingKey, CaseIterable { case on, kind, from, to, country }

    public init(on: CalendarDate, kind: TransferStepKind, from: String?, to: String?, country: Country) {
        self.on = on
        self.kind = kind
        self.from = from
        self.to = to
        self.country = country
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        on = try c.decode(CalendarDate.self, forKey: .on)
        kind = try c.decode(TransferStepKind.self, forKey: .kind)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        to = try c.decodeIfPresent(String.self, forKey: .to)
        country = try c.decode(Country.self, forKey: .country)
    }
}

/// The last holder who held the firearm lawfully.
public struct LawfulHolder: Sendable, Codable, Equatable {
    public var name: String
    public var country: Country
    public var since: CalendarDate?

    enum CodingKeys: String, CodingKey, CaseIterable { case name, country, since }

    public init(name: String, country: Country, since: CalendarDate?) {
        self.name = name
        self.country = country
        self.since = since
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        country = try c.decode(Country.self, forKey: .country)
        since = try c.decodeIfPresent(CalendarDate.self, forKey: .since)
    }
}

/// The content of an answer.
public struct TraceAnswer: Sendable, Codable, Equatable {
    public var outcome: AnswerOutcome
    /// Why it was not traced (`not_traced` only).
    public var notTracedReason: NotTracedReason?
    /// Why the answer is delayed or restricted (`delayed`, `restricted` only).
    public var reason: String?
    public var transfers: [TransferStep]
    public var lastLawfulHolder: LawfulHolder?
    public var diversionEstablished: Bool?
    /// How the point of diversion was established (when it was).
    public var diversionHow: String?
    /// The record's status when answered (an answer assembled from the registry).
    public var registryStatus: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case outcome, reason, transfers
        case notTracedReason = "not_traced_reason", lastLawfulHolder = "last_lawful_holder"
        case diversionEstablished = "diversion_established", diversionHow = "diversion_how", registryStatus = "registry_status"
    }

    public init(outcome: AnswerOutcome, notTracedReason: NotTracedReason? = nil, reason: String? = nil, transfers: [TransferStep] = [],
                lastLawfulHolder: LawfulHolder? = nil, diversionEstablished: Bool? = nil, diversionHow: String? = nil,
                registryStatus: String? = nil) {
        self.outcome = outcome
        self.notTracedReason = notTracedReason
        self.reason = reason
        self.transfers = transfers
        self.lastLawfulHolder = lastLawfulHolder
        self.diversionEstablished = diversionEstablished
        self.diversionHow = diversionHow
        self.registryStatus = registryStatus
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        outcome = try c.decode(AnswerOutcome.self, forKey: .outcome)
        notTracedReason = try c.decodeIfPresent(NotTracedReason.self, forKey: .notTracedReason)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        transfers = try c.decodeIfPresent([TransferStep].self, forKey: .transfers) ?? []
        lastLawfulHolder = try c.decodeIfPresent(LawfulHolder.self, forKey: .lastLawfulHolder)
        diversionEstablished = try c.decodeIfPresent(Bool.self, forKey: .diversionEstablished)
        diversionHow = try c.decodeIfPresent(String.self, forKey: .diversionHow)
        registryStatus = try c.decodeIfPresent(String.self, forKey: .registryStatus)
    }
}

/// A message about a request: an acknowledgement of receipt, a request for more information,
/// a follow-up or the answer. Messages are never changed or removed.
public struct TraceMessage: Sendable, Codable, Equatable {
    public var id: UUID
    public var traceID: UUID
    public var kind: MessageKind
    public var direction: MessageDirection
    public var occurredOn: CalendarDate
    public var body: String?
    public var answer: TraceAnswer?
    public var recordedBy: String
    public var recordedAt: Date
    /// An answer's registry firearm and the version of its record it disclosed.
    public var firearmID: UUID?
    public var firearmVersion: Int?
    /// The legal review an answer naming holders was sent under.
    public var legalReview: LegalReview?

    enum CodingKeys: String, CodingKey {
        case id, kind, direction, body, answer
        case traceID = "trace_id", occurredOn = "occurred_on", recordedBy = "recorded_by", recordedAt = "recorded_at"
        case firearmID = "firearm_id", firearmVersion = "firearm_version", legalReview = "legal_review"
    }
}
