import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Recording components, on a firearm or loose, and a loose component's lifecycle.
extension Registry {
    /// Records a component: of the firearm `firearmID`, or loose when it is nil.
    public func recordComponent(_ new: NewComponent, firearmID: UUID?, by principal: Principal, requestID: String?) async throws -> Component {
        let errors = new.problems()
        if !errors.isEmpty { throw Problem.validation(errors) }
        let now = environment.now()
        return try await database.transaction { connection in
            if let firearmID, try await FirearmStore.exists(id: firearmID, on: connection) == false {
                throw Problem.notFound("no firearm \(firearmID.uuidString.lowercased())")
            }
            let component = try await ComponentStore.insert(new, firearmID: firearmID, now: now, on: connection)
            try await ComponentStore.history.append(component, id: component.id, version: component.version, change: "recorded",
                                                    by: principal, on: connection)
            var detail = ["reference": component.reference, "part": component.part.rawValue, "serial": component.serialNormalized ?? ""]
            if let firearmID { detail["firearm_id"] = firearmID.uuidString.lowercased() }
            try await AuditLog.append(AuditEntry(principal: principal, action: "component.create", recordType: "component",
                                                 recordID: component.id.uuidString, requestID: requestID, detail: AuditEntry.detail(detail)),
                                      on: connection)
            return component
        }
    }

    /// A loose component's lifecycle event; a component of a firearm follows its firearm.
    public func appendComponentEvent(componentID: UUID, _ event: NewEvent, by principal: Principal,
                                     requestID: String?) async throws -> (ComponentEvent, Component) {
        var errors = event.problems(today: today)
        if !ComponentEvent.kinds.contains(event.kind) {
            errors.append(.init(field: "kind", detail: "must be one of \(ComponentEvent.kinds.map(\.rawValue).joined(separator: ", "))"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        return try await database.transaction { connection in
            guard let current = try await ComponentStore.find(id: componentID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no component \(componentID.uuidString.lowercased())")
            }
            if current.firearmID != nil {
                throw Problem.conflict("this component is part of a firearm: record the event on the firearm", slug: "event-refused")
            }
            if let last = try await ComponentStore.events(componentID: componentID, on: connection).map(\.occurredOn).max(), event.occurredOn < last {
                throw Problem.conflict("an event dated \(last) is recorded already; events are recorded in date order", slug: "event-refused")
            }
            let status: FirearmStatus
            switch event.kind.apply(to: current.status, transfer: nil) {
            case .success(let next): status = next
            case .failure(let refusal): throw Problem.conflict(refusal.reason, slug: "event-refused")
            }
            let updated = try await ComponentStore.setStatus(id: componentID, status: status, on: connection)
            let recorded = try await ComponentStore.insertEvent(event, componentID: componentID, statusAfter: status, by: principal, on: connection)
            try await ComponentStore.history.append(updated, id: componentID, version: updated.version, change: "event: \(event.kind.rawValue)",
                                                    by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "component.event", recordType: "component",
                                                 recordID: componentID.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["event": event.kind.rawValue, "status": status.rawValue])),
                                      on: connection)
            return (recorded, updated)
        }
    }

    func componentDetail(id: UUID, by principal: Principal, requestID: String?) async throws -> ComponentDetail {
        let (component, events) = try await database.withConnection { connection in
            (try await ComponentStore.find(id: id, on: connection), try await ComponentStore.events(componentID: id, on: connection))
        }
        guard let component else { throw Problem.notFound("no component \(id.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "component.read", recordType: "component",
                                          recordID: id.uuidString, requestID: requestID))
        return ComponentDetail(component: component, events: events)
    }

    public func componentHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Component>] {
        try await ComponentStore.history.read(id, as: Component.self, recordType: "component", database: database, audit: audit,
                                              by: principal, requestID: requestID)
    }
}
