import Foundation
import IFCCore
import IFCStore
import RegistryAPI

/// What other modules may ask of the registry: look up and link firearm records. Every read
/// is audited as the caller's, like a read through the API, with the module it came through, so
/// "who looked at this firearm" has one answer whichever module showed it. No other module
/// reads or writes the registry's tables.
public struct RegistryReader: RegistryReading {
    let registry: Registry
    let module: String

    public func firearm(id: UUID, by principal: Principal, requestID: String?) async throws -> Firearm? {
        let found = try await registry.database.withConnection { try await FirearmStore.find(id: id, on: $0) }
        try await record(found.map { [$0.id] } ?? [], action: "firearm.read", by: principal, requestID: requestID,
                         query: ["id": id.uuidString.lowercased()])
        return try await registry.disclosed(found, to: principal)
    }

    public func firearm(reference: String, by principal: Principal, requestID: String?) async throws -> Firearm? {
        let found = try await registry.database.withConnection { try await FirearmStore.find(reference: reference, on: $0) }
        try await record(found.map { [$0.id] } ?? [], action: "firearm.read", by: principal, requestID: requestID,
                         query: ["reference": reference])
        return try await registry.disclosed(found, to: principal)
    }

    /// Firearms whose serial, normalised, is exactly that of `serial` (as marked or normalised).
    public func firearms(serial: String, limit: Int, by principal: Principal, requestID: String?) async throws -> [Firearm] {
        guard let normalized = Serial.normalize(serial) else { throw Problem.invalid("serial", "must contain letters or digits") }
        let found = try await registry.database.withConnection { try await FirearmStore.withSerial(normalized, limit: limit, on: $0) }
        try await record(found.map(\.id), action: "firearm.list", by: principal, requestID: requestID, query: ["serial": normalized])
        return try await registry.disclosed(found, to: principal)
    }

    /// The registry's partial-serial search (`?` one unknown character, `*` an unknown run).
    public func search(pattern: String, confusables: Bool, limit: Int, by principal: Principal,
                       requestID: String?) async throws -> [Firearm] {
        try await registry.search(pattern: pattern, confusables: confusables, limit: limit, by: principal, requestID: requestID, via: module)
    }

    /// The serial search with its match details: exact, confusable and pattern matches, then
    /// (with `fuzzy`) serials one or two edits away narrowed by make and type; firearms and
    /// components. Audited like the registry's own search, with `via`.
    public func serialCandidates(pattern: String, confusables: Bool, fuzzy: Bool, make: String?, type: FirearmType?, limit: Int,
                                 by principal: Principal, requestID: String?) async throws -> (firearms: [Firearm], matches: [SearchMatch]) {
        try await registry.searchWithParts(pattern: pattern, confusables: confusables, fuzzy: fuzzy, make: make, type: type, limit: limit,
                                           by: principal, requestID: requestID, via: module)
    }

    /// A firearm's record with everything an answer to a tracing request is assembled from: its
    /// events (oldest first, voided ones included and marked), the holders they name, and its
    /// components. One audit entry for the firearm and one per holder read, with `via`.
    public func firearmHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> FirearmHistory? {
        let found: FirearmHistory? = try await registry.database.withConnection { connection in
            guard let firearm = try await FirearmStore.find(id: id, on: connection) else { return nil }
            let events = try await EventStore.list(firearmID: id, on: connection)
            let holderIDs = Set(events.flatMap { [$0.fromHolderID, $0.counterpartHolderID] }.compactMap { $0 } + [firearm.holderID].compactMap { $0 })
            var holders: [UUID: Holder] = [:]
            for holderID in holderIDs {
                if let holder = try await HolderStore.find(id: holderID, on: connection) { holders[holderID] = holder }
            }
            let components = try await ComponentStore.of(firearmID: id, on: connection)
            return FirearmHistory(firearm: firearm, events: events, holders: holders, components: components)
        }
        try await record(found.map { [$0.firearm.id] } ?? [], action: "firearm.history", by: principal, requestID: requestID,
                         query: ["id": id.uuidString.lowercased()])
        if let found, !found.holders.isEmpty {
            try await registry.audit.recordReads(of: Array(found.holders.keys), action: "holder.read", recordType: "holder", by: principal,
                                                 requestID: requestID, query: ["firearm_id": id.uuidString.lowercased(), "via": module])
        }
        guard var found else { return nil }
        found.firearm = try await registry.disclosed(found.firearm, to: principal)
        return found
    }

    private func record(_ ids: [UUID], action: String, by principal: Principal, requestID: String?, query: [String: String]) async throws {
        var query = query
        query["via"] = module
        try await registry.audit.recordReads(of: ids, action: action, recordType: "firearm", by: principal, requestID: requestID, query: query)
    }
}
