import Foundation
import IFCCore
import IFCStore

/// What other modules may ask of the registry: look up and link firearm records. Every read
/// is audited as the caller's, like a read through the API, with the module it came through, so
/// "who looked at this firearm" has one answer whichever module showed it. No other module
/// reads or writes the registry's tables.
public struct RegistryReader: Sendable {
    let registry: Registry
    let module: String

    public func firearm(id: UUID, by principal: Principal, requestID: String?) async throws -> Firearm? {
        let found = try await registry.database.withConnection { try await FirearmStore.find(id: id, on: $0) }
        try await record(found.map { [$0.id] } ?? [], action: "firearm.read", by: principal, requestID: requestID,
                         query: ["id": id.uuidString.lowercased()])
        return found
    }

    public func firearm(reference: String, by principal: Principal, requestID: String?) async throws -> Firearm? {
        let found = try await registry.database.withConnection { try await FirearmStore.find(reference: reference, on: $0) }
        try await record(found.map { [$0.id] } ?? [], action: "firearm.read", by: principal, requestID: requestID,
                         query: ["reference": reference])
        return found
    }

    /// Firearms whose serial, normalised, is exactly that of `serial` (as marked or normalised).
    public func firearms(serial: String, limit: Int = 50, by principal: Principal, requestID: String?) async throws -> [Firearm] {
        guard let normalized = Serial.normalize(serial) else { throw Problem.invalid("serial", "must contain letters or digits") }
        let found = try await registry.database.withConnection { try await FirearmStore.withSerial(normalized, limit: limit, on: $0) }
        try await record(found.map(\.id), action: "firearm.list", by: principal, requestID: requestID, query: ["serial": normalized])
        return found
    }

    /// The registry's partial-serial search (`?` one unknown character, `*` an unknown run).
    public func search(pattern: String, confusables: Bool, limit: Int = 50, by principal: Principal,
                       requestID: String?) async throws -> [Firearm] {
        try await registry.search(pattern: pattern, confusables: confusables, limit: limit, by: principal, requestID: requestID, via: module)
    }

    private func record(_ ids: [UUID], action: String, by principal: Principal, requestID: String?, query: [String: String]) async throws {
        var query = query
        query["via"] = module
        try await registry.audit.recordReads(of: ids, action: action, recordType: "firearm", by: principal, requestID: requestID, query: query)
    }
}
