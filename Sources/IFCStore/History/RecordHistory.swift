import Foundation
import IFCCore
import PostgresNIO

/// One version of a record in its history: the record as it became, who changed it, when, why.
public struct RecordVersion<Record: Sendable & Encodable>: Sendable, Encodable {
    public var version: Int
    public var change: String
    public var changedBy: String
    public var changedAt: Date
    public var record: Record

    enum CodingKeys: String, CodingKey {
        case version, change, record
        case changedBy = "changed_by", changedAt = "changed_at"
    }
}

/// A module's history table: `(<key>, version, record jsonb, change, changed_by, changed_at)`,
/// insert-only (a trigger refuses UPDATE, DELETE and TRUNCATE; see Schema 0006). Every change
/// of a mutable record writes the record as it became, in the change's own transaction, so a
/// correction never hides what was there before.
public struct RecordHistory: Sendable {
    let table: String
    let key: String

    /// Table and key column names come from code, never from input.
    public init(table: String, key: String) {
        precondition(table.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_") }, "a table name from code")
        precondition(key.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_") }, "a column name from code")
        self.table = table
        self.key = key
    }

    /// Keeps `record` as version `version` of the record `id`, on the caller's transaction.
    public func append(_ record: some Encodable, id: UUID, version: Int, change: String, by principal: Principal,
                       on connection: PostgresConnection) async throws {
        let json = String(decoding: try JSONCoding.encoder.encode(record), as: UTF8.self)
        try await connection.query("""
            INSERT INTO \(unescaped: table) (\(unescaped: key), version, record, change, changed_by)
            VALUES (\(id), \(version), \(json)::jsonb, \(change), \(principal.username))
            """, logger: AuditWriter.quietLogger)
    }

    /// `append` and `AuditLog.append` in one statement (one round trip, on the caller's
    /// transaction): the version and the change's audit entry commit together or not at all.
    public func append(_ record: some Encodable, id: UUID, version: Int, change: String, by principal: Principal, audit: AuditEntry,
                       on connection: PostgresConnection) async throws {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(id)
        bindings.append(version)
        bindings.append(String(decoding: try JSONCoding.encoder.encode(record), as: UTF8.self))
        bindings.append(change)
        bindings.append(principal.username)
        AuditLog.appendValues(of: audit, to: &bindings)
        try await connection.query(PostgresQuery(unsafeSQL: """
            WITH v AS (INSERT INTO \(table) (\(key), version, record, change, changed_by)
                       VALUES ($1::uuid, $2::int8, $3::text::jsonb, $4::text, $5::text))
            \(AuditLog.insertSQL(parametersFrom: 6))
            """, binds: bindings), logger: AuditWriter.quietLogger)
    }

    /// Every version of the record `id`, oldest first; empty when there is no such record.
    public func versions<Record: Decodable & Encodable & Sendable>(of id: UUID, as type: Record.Type,
                                                                  on connection: PostgresConnection) async throws -> [RecordVersion<Record>] {
        let rows = try await connection.query("""
            SELECT version, change, changed_by, changed_at, record::text FROM \(unescaped: table)
            WHERE \(unescaped: key) = \(id) ORDER BY version
            """, logger: AuditWriter.quietLogger)
        var versions: [RecordVersion<Record>] = []
        for try await (version, change, by, at, record) in rows.decode((Int, String, String, Date, String).self) {
            let value = try JSONCoding.decoder.decode(Record.self, from: Data(record.utf8))
            versions.append(RecordVersion(version: version, change: change, changedBy: by, changedAt: at, record: value))
        }
        return versions
    }
}

extension RecordHistory {
    /// The history route's work: every version of record `id`, its read audited before it is
    /// answered (`<recordType>.history`); 404 when there is no such record.
    public func read<Record: Codable & Sendable>(_ id: UUID, as type: Record.Type, recordType: String, database: Database,
                                                 audit: AuditWriter, by principal: Principal,
                                                 requestID: String?) async throws -> [RecordVersion<Record>] {
        let versions = try await database.withConnection { try await self.versions(of: id, as: type, on: $0) }
        guard !versions.isEmpty else { throw Problem.notFound("no \(recordType) \(id.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "\(recordType).history", recordType: recordType,
                                          recordID: id.uuidString, requestID: requestID))
        return versions
    }
}
