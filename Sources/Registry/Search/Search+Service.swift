import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

extension Registry {
    /// Firearms whose serial matches a pattern (`?` one unknown character, `*` an unknown run),
    /// optionally treating commonly confused characters as equal. The pattern and the answer
    /// are on the audit trail, even when nothing matched.
    public func search(pattern text: String, confusables: Bool, limit: Int, by principal: Principal, requestID: String?,
                       via: String? = nil) async throws -> [Firearm] {
        try await searchWithParts(pattern: text, confusables: confusables, limit: limit, by: principal, requestID: requestID, via: via).firearms
    }

    /// The search over firearms' serials and their components' serials: the firearms matched
    /// (by their own serial or a component's) and, for each match, which part matched; a loose
    /// component that matches is listed as a match of its own.
    ///
    /// With `fuzzy` (and a pattern without wildcards), serials one or two edits away follow the
    /// exact and pattern matches, nearest first, each with its edit distance, narrowed by make
    /// and type when given.
    func searchWithParts(pattern text: String, confusables: Bool, fuzzy: Bool = false, make: String? = nil, type: FirearmType? = nil,
                         limit: Int, by principal: Principal, requestID: String?,
                         via: String? = nil) async throws -> (firearms: [Firearm], matches: [SearchMatch]) {
        let pattern = try Serial.Pattern.checked(text)
        let fuzzyApplies = fuzzy && !pattern.hasWildcards
        // Fuzzy matching lowers the trigram threshold for its own transaction only; without it, no transaction.
        let work: @Sendable (PostgresConnection) async throws -> ([Firearm], [Component], [Firearm], [(Firearm, Int)], [(Component, Int)]) = { connection in
            let found = try await FirearmStore.search(pattern, confusables: confusables, limit: limit, on: connection)
            let components = try await ComponentStore.search(pattern, confusables: confusables, limit: limit, on: connection)
            var fuzzyFirearms: [(Firearm, Int)] = [], fuzzyComponents: [(Component, Int)] = []
            if fuzzyApplies {
                try await FuzzySearchStore.setThreshold(on: connection)
                fuzzyFirearms = try await FuzzySearchStore.firearms(pattern.normalized, confusables: confusables, make: make, type: type?.rawValue,
                                                                    excluding: found.map(\.id), limit: max(0, limit - found.count), on: connection)
                fuzzyComponents = try await FuzzySearchStore.components(pattern.normalized, confusables: confusables, make: make,
                                                                        excluding: components.map(\.id), limit: max(0, limit - components.count),
                                                                        on: connection)
            }
            let known = Set(found.map(\.id) + fuzzyFirearms.map(\.0.id))
            let missing = Array(Set((components + fuzzyComponents.map(\.0)).compactMap(\.firearmID)).subtracting(known))
            let owners = missing.isEmpty ? [] : try await FirearmStore.all(connection.query(
                "SELECT \(unescaped: FirearmStore.columns) FROM firearms WHERE id = ANY(\(missing)::uuid[]) ORDER BY reference",
                logger: FirearmStore.logger))
            return (found, components, owners, fuzzyFirearms, fuzzyComponents)
        }
        let (found, components, owners, fuzzyFirearms, fuzzyComponents) = fuzzyApplies
            ? try await database.transaction(work) : try await database.withConnection(work)
        let firearms = Array((found + fuzzyFirearms.map(\.0) + owners).prefix(limit))
        let kind = { (serial: String?) -> String in
            serial == pattern.normalized ? "exact" : (serial.map(Serial.fold) == Serial.fold(pattern.normalized) ? "confusable" : "pattern")
        }
        let matches = found.map { SearchMatch(firearmID: $0.id, componentID: nil, reference: $0.reference, part: "firearm",
                                              serialNormalized: $0.serialNormalized, match: kind($0.serialNormalized), distance: nil) }
            + components.map { SearchMatch(firearmID: $0.firearmID, componentID: $0.id, reference: $0.reference, part: $0.part.rawValue,
                                           serialNormalized: $0.serialNormalized, match: kind($0.serialNormalized), distance: nil) }
            + fuzzyFirearms.map { SearchMatch(firearmID: $0.0.id, componentID: nil, reference: $0.0.reference, part: "firearm",
                                              serialNormalized: $0.0.serialNormalized, match: "fuzzy", distance: $0.1) }
            + fuzzyComponents.map { SearchMatch(firearmID: $0.0.firearmID, componentID: $0.0.id, reference: $0.0.reference, part: $0.0.part.rawValue,
                                                serialNormalized: $0.0.serialNormalized, match: "fuzzy", distance: $0.1) }
        let allComponents = components + fuzzyComponents.map(\.0)
        var query = ["pattern": pattern.normalized, "confusables": "\(confusables)"]
        if fuzzyApplies { query["fuzzy"] = "true" }
        if let make { query["make"] = make }
        if let type { query["type"] = type.rawValue }
        if let via { query["via"] = via }
        try await audit.record(AuditEntry.reads(of: firearms.map(\.id), action: "firearm.search", recordType: "firearm", principal: principal,
                                                requestID: requestID, query: query)
            + allComponents.map { AuditEntry(principal: principal, action: "component.search", recordType: "component",
                                          recordID: $0.id.uuidString, requestID: requestID, detail: AuditEntry.detail(["query": query])) })
        return (try await disclosed(firearms, to: principal), matches)
    }
}
