import Foundation

extension AuditEntry {
    /// The entries of a list or search read. One per record shown, so that "who saw this
    /// record" has an answer; one without a record when nothing matched, so that the search
    /// itself is on the trail. Each carries the query's terms in its detail, so that "who looked
    /// up this person or this serial" has an answer even when nothing matched.
    public static func reads(of recordIDs: [String], action: String, recordType: String, principal: Principal,
                             requestID: String?, query: [String: String] = [:]) -> [AuditEntry] {
        let detail = query.isEmpty ? nil : Self.detail(["query": query])
        guard !recordIDs.isEmpty else {
            return [AuditEntry(principal: principal, action: action, recordType: recordType, requestID: requestID, detail: detail)]
        }
        return recordIDs.map {
            AuditEntry(principal: principal, action: action, recordType: recordType, recordID: $0, requestID: requestID, detail: detail)
        }
    }

    public static func reads(of recordIDs: [UUID], action: String, recordType: String, principal: Principal,
                             requestID: String?, query: [String: String] = [:]) -> [AuditEntry] {
        reads(of: recordIDs.map(\.uuidString), action: action, recordType: recordType, principal: principal,
              requestID: requestID, query: query)
    }

    /// A small JSON object for an entry's detail, with values escaped by the encoder.
    public static func detail(_ values: [String: String]) -> String {
        (try? String(decoding: JSONCoding.encoder.encode(values), as: UTF8.self)) ?? "{}"
    }

    /// A detail with one level of nesting (`{"query": {"serial": "AB12"}}`).
    public static func detail(_ values: [String: [String: String]]) -> String {
        (try? String(decoding: JSONCoding.encoder.encode(values), as: UTF8.self)) ?? "{}"
    }
}
