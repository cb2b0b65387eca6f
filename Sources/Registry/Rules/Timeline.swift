import Foundation
import IFCCore
import RegistryAPI

/// A firearm's whole timeline replayed through `EventTransitions`: the status, holder and legal
/// category it leads to, or the first event where it stops making sense. Used when an event is
/// voided or a historical one is back-captured, so the record always follows from its events in
/// date order.
public enum Timeline {
    public struct Step: Sendable {
        public var id: UUID
        public var kind: EventKind
        public var occurredOn: CalendarDate
        public var recordedAt: Date
        public var transferKind: TransferKind?
        public var counterpartHolderID: UUID?
        public var categoryBefore: String?
        public var categoryAfter: String?

        public init(id: UUID, kind: EventKind, occurredOn: CalendarDate, recordedAt: Date, transferKind: TransferKind? = nil,
                    counterpartHolderID: UUID? = nil, categoryBefore: String? = nil, categoryAfter: String? = nil) {
            self.id = id
            self.kind = kind
            self.occurredOn = occurredOn
            self.recordedAt = recordedAt
            self.transferKind = transferKind
            self.counterpartHolderID = counterpartHolderID
            self.categoryBefore = categoryBefore
            self.categoryAfter = categoryAfter
        }
    }

    public struct State: Sendable, Equatable {
        public var status: FirearmStatus
        public var holderID: UUID?
        public var category: String?
    }

    /// Where the timeline breaks: the event, and why.
    public struct Break: Error, Sendable {
        public let step: Step
        public let reason: String
    }

    /// Replays `steps` (voided events and void markers already left out) in date order, then in
    /// the order they were recorded, from the state at registration.
    public static func replay(_ steps: [Step], from start: State) -> Result<State, Break> {
        var state = start
        for step in steps.sorted(by: { ($0.occurredOn, $0.recordedAt) < ($1.occurredOn, $1.recordedAt) }) {
            switch step.kind.apply(to: state.status, transfer: step.transferKind) {
            case .failure(let refusal):
                return .failure(Break(step: step, reason: refusal.reason))
            case .success(let next):
                state.status = next
            }
            if step.kind == .transferred {
                state.holderID = step.transferKind == .export ? nil : (step.counterpartHolderID ?? state.holderID)
            }
            if step.kind == .converted, let after = step.categoryAfter {
                state.category = after
            }
        }
        return .success(state)
    }

    /// The category before any conversion: that of the earliest conversion, else the current one.
    public static func initialCategory(of steps: [Step], current: String?) -> String? {
        steps.filter { $0.kind == .converted }.min { ($0.occurredOn, $0.recordedAt) < ($1.occurredOn, $1.recordedAt) }?.categoryBefore
            ?? current
    }
}
