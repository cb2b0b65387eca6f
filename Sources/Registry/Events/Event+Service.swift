import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Recording and reading lifecycle events. The status follows from the events
/// (`EventTransitions`); each event, the firearm's new version and the audit entry commit together.
extension Registry {
    public func appendEvent(firearmID: UUID, expectedVersion: Int?, _ event: NewEvent, by principal: Principal,
                            requestID: String?) async throws -> (FirearmEvent, Firearm) {
        var errors = event.problems(today: today)
        if let after = event.details.categoryAfter, !settings.categories.contains(after) {
            errors.append(.init(field: "category_after", detail: "must be one of \(settings.categories.joined(separator: ", "))"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let now = environment.now()
        return try await database.transaction { connection in
            try await record(event, firearmID: firearmID, expectedVersion: expectedVersion, consignmentID: nil, now: now,
                             by: principal, requestID: requestID, on: connection)
        }
    }

    /// Records `event` on the caller's transaction: the firearm's new state, the event, the
    /// version row and the audit entry. A consignment records one per firearm in one transaction.
    func record(_ event: NewEvent, firearmID: UUID, expectedVersion: Int?, consignmentID: UUID?, now: Date, by principal: Principal,
                requestID: String?, on connection: PostgresConnection) async throws -> (FirearmEvent, Firearm) {
        do {
            guard let current = try await FirearmStore.find(id: firearmID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no firearm \(firearmID.uuidString.lowercased())")
            }
            if let expectedVersion {
                try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "firearm \(current.reference)")
            }
            if event.kind != .voided, let year = current.yearOfManufacture, event.occurredOn.year < year {
                throw Problem.invalid("occurred_on", "is before the firearm's year of manufacture (\(year))")
            }
            if let counterpart = event.counterpartHolderID {
                guard let holder = try await HolderStore.find(id: counterpart, on: connection) else {
                    throw Problem.invalid("counterpart_holder_id", "no holder has this id")
                }
                if let ceased = holder.ceasedOn {
                    throw Problem.conflict("\(holder.reference) ceased trading on \(ceased): no firearm passes to it", slug: "ceased")
                }
            }
            var event = event
            if event.kind == .converted {
                if let after = event.details.categoryAfter, after == current.category {
                    throw Problem.invalid("category_after", "is the firearm's category already (\(after)): a conversion changes it")
                }
                event.details.categoryBefore = current.category
            }
            let after = try await nextState(of: current, with: event, now: now, on: connection)
            let updated = try await FirearmStore.setStatus(id: firearmID, status: after.status, holderID: after.holderID,
                                                           category: after.category, on: connection)
            let recorded = try await EventStore.insert(event, firearmID: firearmID, statusAfter: after.status, version: updated.version,
                                                       fromHolderID: event.kind == .transferred ? current.holderID : nil,
                                                       consignmentID: consignmentID, by: principal, on: connection)
            var detail = ["event": event.kind.rawValue, "status": after.status.rawValue, "event_id": recorded.id.uuidString.lowercased()]
            if let voided = event.details.voidsEventID { detail["voids_event_id"] = voided.uuidString.lowercased() }
            if event.details.historical { detail["historical"] = "true" }
            if let consignmentID { detail["consignment_id"] = consignmentID.uuidString.lowercased() }
            // The version and its audit entry in one statement.
            try await FirearmStore.history.append(updated, id: firearmID, version: updated.version,
                                                  change: "event: \(event.kind.rawValue)", by: principal,
                                                  audit: AuditEntry(principal: principal, action: "firearm.event", recordType: "firearm",
                                                                    recordID: firearmID.uuidString, requestID: requestID,
                                                                    detail: AuditEntry.detail(detail)),
                                                  on: connection)
            return (recorded, updated)
        }
    }

    /// The firearm's status, holder and category once `event` is recorded. An event in date
    /// order applies to the current status; a voiding or a back-captured (historical) event
    /// replays the whole timeline, and a timeline that no longer makes sense is refused (409)
    /// naming the event where it breaks.
    private func nextState(of current: Firearm, with event: NewEvent, now: Date, on connection: PostgresConnection) async throws -> Timeline.State {
        let recorded = try await EventStore.list(firearmID: current.id, on: connection)
        if event.kind == .voided {
            guard let targetID = event.details.voidsEventID, let target = recorded.first(where: { $0.id == targetID }) else {
                throw Problem.invalid("voids_event_id", "no event of this firearm has this id")
            }
            guard target.kind != .voided else { throw Problem.conflict("a voiding cannot itself be voided", slug: "event-refused") }
            guard target.voidedBy == nil else { throw Problem.conflict("this event is voided already", slug: "event-refused") }
            return try await replay(recorded, voiding: targetID, plus: nil, current: current, on: connection)
        }
        let step = Timeline.Step(id: UUID(), kind: event.kind, occurredOn: event.occurredOn, recordedAt: now, transferKind: event.transferKind,
                                 counterpartHolderID: event.counterpartHolderID, categoryBefore: event.details.categoryBefore,
                                 categoryAfter: event.details.categoryAfter)
        if event.details.historical {
            return try await replay(recorded, voiding: nil, plus: step, current: current, on: connection)
        }
        // Without the historical mark, events are recorded in date order.
        let live = recorded.filter { $0.kind != .voided && $0.voidedBy == nil }
        if let last = live.map(\.occurredOn).max(), event.occurredOn < last {
            throw Problem.conflict("an event dated \(last) is recorded already; events are recorded in date order "
                                   + "(mark a back-captured event historical, with its source document)", slug: "event-refused")
        }
        var state = Timeline.State(status: current.status, holderID: current.holderID, category: current.category)
        switch event.kind.apply(to: current.status, transfer: event.transferKind) {
        case .success(let next): state.status = next
        case .failure(let refusal): throw Problem.conflict(refusal.reason, slug: "event-refused")
        }
        if event.kind == .transferred {
            state.holderID = event.transferKind == .export ? nil : (event.counterpartHolderID ?? state.holderID)
        }
        if event.kind == .converted, let after = event.details.categoryAfter { state.category = after }
        return state
    }

    /// Replays every recorded event but the voided ones (and `voiding`), with `new` added. The
    /// category starts from before the earliest conversion, voided or not.
    private func replay(_ recorded: [FirearmEvent], voiding: UUID?, plus new: Timeline.Step?, current: Firearm,
                        on connection: PostgresConnection) async throws -> Timeline.State {
        let steps = recorded.filter { $0.kind != .voided && $0.voidedBy == nil && $0.id != voiding }.map(\.step) + (new.map { [$0] } ?? [])
        let start = Timeline.State(status: .registered, holderID: try await FirearmStore.registeredHolder(id: current.id, on: connection),
                                   category: Timeline.initialCategory(of: recorded.map(\.step) + (new.map { [$0] } ?? []),
                                                                      current: current.category))
        switch Timeline.replay(steps, from: start) {
        case .success(let state):
            return state
        case .failure(let broken):
            let which = broken.step.id == new?.id ? "the new event" : "the \(broken.step.kind.rawValue) event of \(broken.step.occurredOn) "
                + "(\(broken.step.id.uuidString.lowercased()))"
            var problem = Problem.conflict("the timeline breaks at \(which): \(broken.reason)", slug: "timeline-broken")
            problem.errors = [.init(field: new == nil ? "voids_event_id" : "occurred_on", detail: "breaks the timeline at \(which)")]
            throw problem
        }
    }

    public func events(firearmID: UUID, by principal: Principal, requestID: String?) async throws -> [FirearmEvent] {
        let (exists, events) = try await database.withConnection { connection in
            (try await FirearmStore.exists(id: firearmID, on: connection), try await EventStore.list(firearmID: firearmID, on: connection))
        }
        guard exists else { throw Problem.notFound("no firearm \(firearmID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "firearm.events", recordType: "firearm",
                                          recordID: firearmID.uuidString, requestID: requestID))
        return events
    }
}

extension FirearmEvent {
    /// The event as a step of its firearm's timeline.
    var step: Timeline.Step {
        Timeline.Step(id: id, kind: kind, occurredOn: occurredOn, recordedAt: recordedAt, transferKind: transferKind,
                      counterpartHolderID: counterpartHolderID, categoryBefore: details.categoryBefore, categoryAfter: details.categoryAfter)
    }
}
