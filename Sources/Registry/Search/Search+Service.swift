import Foundation
import IFCCore
import IFCStore

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
    func searchWithParts(pattern text: String, confusables: Bool, limit: Int, by principal: Principal, requestID: String?,
                         via: String? = nil) async throws -> (firearms: [Firearm], matches: [SearchMatch]) {
        let pattern = try Serial.Pattern.checked(text)
        let (found, components, owners) = try await database.withConnection { connection in
            let found = try await FirearmStore.search(pattern, confusables: confusables, limit: limit, on: connection)
            let components = try await ComponentStore.search(pattern, confusables: confusables, limit: limit, on: connection)
            let known = Set(found.map(\.id))
            let missing = Array(Set(components.compactMap(\.firearmID)).subtracting(known))
            let owners = missing.isEmpty ? [] : try await FirearmStore.all(connection.query(
                "SELECT \(unescaped: FirearmStore.columns) FROM firearms WHERE id = ANY(\(missing)::uuid[]) ORDER BY reference",
                logger: FirearmStore.logger))
            return (found, components, owners)
        }
        let firearms = Array((found + owners).prefix(limit))
        let matches = found.map { SearchMatch(firearmID: $0.id, componentID: nil, part: "firearm", serialNormalized: $0.serialNormalized) }
            + components.map { SearchMatch(firearmID: $0.firearmID, componentID: $0.id, part: $0.part.rawValue, serialNormalized: $0.serialNormalized) }
        var query = ["pattern": pattern.normalized, "confusables": "\(confusables)"]
        if let via { query["via"] = via }
        try await audit.record(AuditEntry.reads(of: firearms.map(\.id), action: "firearm.search", recordType: "firearm", principal: principal,
                                                requestID: requestID, query: query)
            + components.map { AuditEntry(principal: principal, action: "component.search", recordType: "component",
                                          recordID: $0.id.uuidString, requestID: requestID, detail: AuditEntry.detail(["query": query])) })
        return (firearms, matches)
    }
}

/// Which record and which part a serial search matched.
struct SearchMatch: Encodable {
    var firearmID: UUID?
    var componentID: UUID?
    /// `firearm` for the firearm's own serial, else the component's part.
    var part: String
    var serialNormalized: String?

    enum CodingKeys: String, CodingKey {
        case part
        case firearmID = "firearm_id", componentID = "component_id", serialNormalized = "serial_normalized"
    }
}
