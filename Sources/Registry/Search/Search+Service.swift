import Foundation
import IFCCore
import IFCStore

extension Registry {
    /// Firearms whose serial matches a pattern (`?` one unknown character, `*` an unknown run),
    /// optionally treating commonly confused characters as equal. The pattern and the answer
    /// are on the audit trail, even when nothing matched.
    public func search(pattern text: String, confusables: Bool, limit: Int, by principal: Principal, requestID: String?,
                       via: String? = nil) async throws -> [Firearm] {
        let pattern = try Serial.Pattern.checked(text)
        let found = try await database.withConnection { try await FirearmStore.search(pattern, confusables: confusables, limit: limit, on: $0) }
        var query = ["pattern": pattern.normalized, "confusables": "\(confusables)"]
        if let via { query["via"] = via }
        try await audit.recordReads(of: found.map(\.id), action: "firearm.search", recordType: "firearm", by: principal,
                                    requestID: requestID, query: query)
        return found
    }
}
