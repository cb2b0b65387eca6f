import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// What other modules may write into the registry: an illicit find (a firearm seized, found or
/// surrendered with no lawful record) and events on a registry firearm (e.g. `seized`). Every
/// write goes through the registry's own rules, versions and audit entries, on the caller's
/// transaction, so that a seizure and the registry records it creates commit together or not
/// at all. No other module writes the registry's tables.
public struct RegistryIntake: RegistryIntaking {
    let registry: Registry
    let module: String

    /// The kinds of event that bring an illicit firearm into view.
    public static let findingEvents: Set<EventKind> = [.found, .seized, .surrendered]

    /// Records an illicit find with the event that brought it into view, on `connection`.
    public func recordIllicitFind(_ description: FirearmDescription, event: NewEvent, by principal: Principal, requestID: String?,
                                  on connection: PostgresConnection) async throws -> Firearm {
        var description = description
        description.recordOrigin = .illicit
        var errors = description.problems(currentYear: registry.currentYear, categories: registry.settings.categories)
        if !Self.findingEvents.contains(event.kind) {
            errors.append(.init(field: "event.kind", detail: "must be found, seized or surrendered"))
        }
        errors += event.problems(today: registry.today).map { .init(field: "event.\($0.field)", detail: $0.detail) }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let now = registry.environment.now()
        let firearm: Firearm
        do {
            firearm = try await registry.insert(description, holderID: nil, now: now, by: principal, requestID: requestID, via: module,
                                                on: connection)
        } catch let duplicate as Registry.Duplicate {
            var problem = Problem.conflict("the registry holds this firearm already as \(duplicate.existing.reference): link that record",
                                           slug: "duplicate-firearm")
            problem.errors = [.init(field: "serial", detail: "duplicates \(duplicate.existing.reference)")]
            throw problem
        }
        return try await registry.record(event, firearmID: firearm.id, expectedVersion: nil, consignmentID: nil, now: now,
                                         by: principal, requestID: requestID, on: connection).1
    }

    /// Records `event` on a registry firearm (e.g. `seized` when a seizure names it), on `connection`.
    public func recordEvent(_ event: NewEvent, firearmID: UUID, by principal: Principal, requestID: String?,
                            on connection: PostgresConnection) async throws -> (FirearmEvent, Firearm) {
        let errors = event.problems(today: registry.today)
        if !errors.isEmpty { throw Problem.validation(errors) }
        return try await registry.record(event, firearmID: firearmID, expectedVersion: nil, consignmentID: nil,
                                         now: registry.environment.now(), by: principal, requestID: requestID, on: connection)
    }

    /// Records that a forensic examination restored the firearm's marking: condition `restored`,
    /// the method and the case, as a new version with its history row and audit entry, on
    /// `connection`. A firearm marked so already by the same case and method is left as it is.
    public func markRestored(firearmID: UUID, method: String, caseReference: String, by principal: Principal, requestID: String?,
                             on connection: PostgresConnection) async throws -> Firearm {
        // Already marked so by the same case and method: nothing to record (a repeated restoration).
        if let current = try await FirearmStore.find(id: firearmID, on: connection), current.markingCondition == .restored,
           current.restorationMethod == method, current.restorationCase == caseReference {
            return current
        }
        return try await registry.correctReviewed(id: firearmID, expectedVersion: nil, note: "marking restored (\(caseReference))", { description in
            var description = description
            description.markingCondition = .restored
            description.restorationMethod = method
            description.restorationCase = caseReference
            return description
        }, by: principal, requestID: requestID, via: module, on: connection).record
    }
}

extension Registry {
    /// The write API other modules use, its writes audited as the caller's.
    public func intake(for module: String) -> RegistryIntake {
        RegistryIntake(registry: self, module: module)
    }
}
