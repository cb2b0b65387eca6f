import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// Recording and reading lifecycle events. The status follows from the events
/// (`EventTransitions`); each event, the firearm's new version and the audit entry commit together.
extension Registry {
    public func appendEvent(firearmID: UUID, expectedVersion: Int?, _ event: NewEvent, by principal: Principal,
                            requestID: String?) async throws -> (FirearmEvent, Firearm) {
        let errors = event.problems(today: today)
        if !errors.isEmpty { throw Problem.validation(errors) }
        return try await database.transaction { connection in
            guard let current = try await FirearmStore.find(id: firearmID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no firearm \(firearmID.uuidString.lowercased())")
            }
            if let expectedVersion {
                try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "firearm \(current.reference)")
            }
            if let year = current.yearOfManufacture, event.occurredOn.year < year {
                throw Problem.invalid("occurred_on", "is before the firearm's year of manufacture (\(year))")
            }
            // Status follows the events in date order, so an event may not predate the last one.
            if let last = try await EventStore.latestDate(firearmID: firearmID, on: connection), event.occurredOn < last {
                throw Problem.conflict("an event dated \(last) is recorded already; events are recorded in date order", slug: "event-refused")
            }
            if let counterpart = event.counterpartHolderID, try await HolderStore.find(id: counterpart, on: connection) == nil {
                throw Problem.invalid("counterpart_holder_id", "no holder has this id")
            }
            let status: FirearmStatus
            switch event.kind.apply(to: current.status, transfer: event.transferKind) {
            case .success(let next): status = next
            case .failure(let refusal): throw Problem.conflict(refusal.reason, slug: "event-refused")
            }
            // A domestic transfer hands the firearm to the counterpart; an export takes it out of
            // national holding.
            var holder = current.holderID
            if event.kind == .transferred {
                holder = event.transferKind == .export ? nil : (event.counterpartHolderID ?? holder)
            }
            let updated = try await FirearmStore.setStatus(id: firearmID, status: status, holderID: holder, on: connection)
            let recorded = try await EventStore.insert(event, firearmID: firearmID, statusAfter: status, version: updated.version,
                                                       by: principal, on: connection)
            try await FirearmStore.history.append(updated, id: firearmID, version: updated.version,
                                                  change: "event: \(event.kind.rawValue)", by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "firearm.event", recordType: "firearm",
                                                 recordID: firearmID.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["event": event.kind.rawValue, "status": status.rawValue,
                                                                            "event_id": recorded.id.uuidString.lowercased()])),
                                      on: connection)
            return (recorded, updated)
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
