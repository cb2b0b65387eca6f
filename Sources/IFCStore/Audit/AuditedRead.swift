import Foundation
import IFCCore
import PostgresNIO

/// The one path of a module's reads of its records: the record or page is read, its read entry
/// is committed, and only then is the answer returned. A read that is not audited cannot reach a
/// caller through it.
public struct AuditedRead: Sendable {
    public let database: Database
    public let audit: AuditWriter
    /// The audit's record type (`exhibit`): actions are `<recordType>.read` and `<recordType>.list`.
    public let recordType: String

    public init(recordType: String, database: Database, audit: AuditWriter) {
        precondition(recordType.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_") }, "a record type from code")
        self.recordType = recordType
        self.database = database
        self.audit = audit
    }

    /// One record by id (the route's read): 404 when absent; a `<recordType>.read` entry.
    public func one<Record: Sendable>(_ id: UUID, by principal: Principal, requestID: String?,
                                      _ find: @escaping @Sendable (PostgresConnection) async throws -> Record?) async throws -> Record {
        guard let found = try await database.withConnection(find) else {
            throw Problem.notFound("no \(recordType) \(id.uuidString.lowercased())")
        }
        try await audit.record(AuditEntry(principal: principal, action: "\(recordType).read", recordType: recordType,
                                          recordID: id.uuidString, requestID: requestID))
        return found
    }

    /// A page of a list: one `<recordType>.list` entry per record shown (one for an empty page),
    /// each with the query's terms.
    public func page<Record: Sendable>(query: [String: String], by principal: Principal, requestID: String?, id: (Record) -> UUID,
                                       _ list: @escaping @Sendable (PostgresConnection) async throws -> Page<Record>) async throws -> Page<Record> {
        let result = try await database.withConnection(list)
        try await audit.recordReads(of: result.items.map(id), action: "\(recordType).list", recordType: recordType, by: principal,
                                    requestID: requestID, query: query)
        return result
    }
}
