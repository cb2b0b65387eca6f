import IFCCore
import RegistryAPI

/// Which lifecycle event may follow which status, and the status after it: the registry's
/// rules in one table, to be read against the law. The current status is never set directly;
/// it follows from the events in date order.
///
/// Read a row as: "<event> is allowed when the firearm is <from>, and leaves it <to>".
/// `.same` keeps the status; `.unlessExported(x)` means x, but an exported firearm coming back
/// into the registry becomes `registered`.
public enum EventTransitions {
    public enum Outcome: Sendable, Equatable {
        case to(FirearmStatus)
        case same
        /// A deactivated firearm changes hands as what it is; any other becomes registered.
        case registeredUnlessDeactivated
        /// An exported firearm re-entering the registry (import marking, registration) is registered again.
        case registeredIfExported
    }

    public struct Rule: Sendable {
        public let from: Set<FirearmStatus>
        public let outcome: Outcome
        /// Said when the event is refused.
        public let refusal: @Sendable (FirearmStatus) -> String
    }

    static let all = Set(FirearmStatus.allCases)
    /// Every status but destroyed: nothing follows a destruction.
    static let living = all.subtracting([.destroyed])

    /// Keyed by the event, and for transfers by the transfer kind.
    public static let table: [EventKey: Rule] = [
        .init(.manufactured): Rule(from: living, outcome: .same, refusal: destroyed),
        .init(.imported): Rule(from: living, outcome: .registeredIfExported, refusal: destroyed),
        .init(.registered): Rule(from: living, outcome: .registeredIfExported, refusal: destroyed),
        .init(.licensed): Rule(from: [.registered, .licensed, .recovered, .surrendered], outcome: .to(.licensed),
                               refusal: { "a firearm that is \($0.rawValue) cannot be licensed" }),
        .init(.transferred, .domestic): Rule(from: living.subtracting([.lost, .stolen, .seized, .exported]),
                                             outcome: .registeredUnlessDeactivated,
                                             refusal: { "a firearm that is \($0.rawValue) cannot be transferred" }),
        .init(.transferred, .export): Rule(from: living.subtracting([.lost, .stolen, .seized, .exported]), outcome: .to(.exported),
                                           refusal: { "a firearm that is \($0.rawValue) cannot be exported" }),
        .init(.transferred, .import): Rule(from: [.exported], outcome: .to(.registered),
                                           refusal: { "only an exported firearm can be imported back; this one is \($0.rawValue)" }),
        .init(.reportedLost): Rule(from: living.subtracting([.lost, .stolen, .exported]), outcome: .to(.lost),
                                   refusal: { "the firearm is \($0.rawValue) already" }),
        .init(.reportedStolen): Rule(from: living.subtracting([.stolen, .exported]), outcome: .to(.stolen),
                                     refusal: { "the firearm is \($0.rawValue) already" }),
        .init(.seized): Rule(from: living.subtracting([.seized]), outcome: .to(.seized),
                             refusal: { $0 == .destroyed ? destroyed($0) : "the firearm is seized already" }),
        .init(.recovered): Rule(from: [.lost, .stolen], outcome: .to(.recovered),
                                refusal: { "only a lost or stolen firearm can be recovered; this one is \($0.rawValue)" }),
        .init(.surrendered): Rule(from: living.subtracting([.exported, .surrendered]), outcome: .to(.surrendered),
                                  refusal: { "a firearm that is \($0.rawValue) cannot be surrendered" }),
        .init(.deactivated): Rule(from: living.subtracting([.lost, .stolen, .exported, .deactivated]), outcome: .to(.deactivated),
                                  refusal: { "a firearm that is \($0.rawValue) cannot be deactivated" }),
        .init(.destroyed): Rule(from: living.subtracting([.lost, .stolen, .exported]), outcome: .to(.destroyed),
                                refusal: { "a firearm that is \($0.rawValue) cannot be destroyed here" }),
        // Found by the police or the public with no one to return it to (a lost or stolen one is `recovered`).
        .init(.found): Rule(from: living.subtracting([.found, .seized, .exported, .confiscated]), outcome: .to(.found),
                            refusal: { "a firearm that is \($0.rawValue) cannot be found" }),
        // Forfeited to the state by a court, after a seizure.
        .init(.confiscated): Rule(from: [.seized, .found], outcome: .to(.confiscated),
                                  refusal: { "only a seized or found firearm can be confiscated; this one is \($0.rawValue)" }),
        // Handed back to its lawful holder by the authority that seized it.
        .init(.returnedToOwner): Rule(from: [.seized], outcome: .to(.registered),
                                      refusal: { "only a seized firearm can be returned to its owner; this one is \($0.rawValue)" }),
        // A change of category or characteristics leaves the status as it was.
        .init(.converted): Rule(from: living.subtracting([.exported]), outcome: .same,
                                refusal: { "a firearm that is \($0.rawValue) cannot be converted here" }),
    ]

    @Sendable static func destroyed(_ status: FirearmStatus) -> String {
        status == .destroyed ? "the firearm was destroyed; no event can follow" : "the event does not apply to a firearm that is \(status.rawValue)"
    }

    public struct EventKey: Hashable, Sendable {
        public let kind: EventKind
        public let transfer: TransferKind?
        public init(_ kind: EventKind, _ transfer: TransferKind? = nil) {
            self.kind = kind
            self.transfer = kind == .transferred ? (transfer ?? .domestic) : nil
        }
    }

    /// The status after `kind` on a firearm in `status`, or the reason it makes no sense (409).
    /// `voided` is not in the table: it removes an event from the timeline instead.
    public static func apply(_ kind: EventKind, to status: FirearmStatus, transfer: TransferKind?) -> Result<FirearmStatus, EventRefusal> {
        guard let rule = table[EventKey(kind, transfer)] else {
            return .failure(EventRefusal("no rule covers \(kind.rawValue)"))
        }
        guard rule.from.contains(status) else {
            return .failure(EventRefusal(status == .destroyed ? destroyed(status) : rule.refusal(status)))
        }
        switch rule.outcome {
        case .to(let next): return .success(next)
        case .same: return .success(status)
        case .registeredUnlessDeactivated: return .success(status == .deactivated ? .deactivated : .registered)
        case .registeredIfExported: return .success(status == .exported ? .registered : status)
        }
    }
}

extension EventKind {
    /// See `EventTransitions.table`.
    public func apply(to status: FirearmStatus, transfer: TransferKind?) -> Result<FirearmStatus, EventRefusal> {
        EventTransitions.apply(self, to: status, transfer: transfer)
    }
}

public struct EventRefusal: Error, Sendable, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}
