import Foundation
import IFCCore
import Logging
import PostgresNIO

/// A membership of a record's team (a case's, a trace's): who, why, added by whom and when, and
/// when it ended. A `confidential` or `secret` record is seen only by its current members cleared
/// to its level. The record's id is written under the module's own key (`case_id`, `trace_id`).
public struct TeamMember: Sendable, Encodable, Equatable {
    public var id: UUID
    public var recordID: UUID
    public var userID: UUID
    public var username: String
    public var reason: String
    public var addedBy: String
    public var addedAt: Date
    public var removedBy: String?
    public var removedAt: Date?
    /// The JSON name of `recordID`.
    public var recordKey: String

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(id, forKey: Key("id"))
        try c.encode(recordID, forKey: Key(recordKey))
        try c.encode(userID, forKey: Key("user_id"))
        try c.encode(username, forKey: Key("username"))
        try c.encode(reason, forKey: Key("reason"))
        try c.encode(addedBy, forKey: Key("added_by"))
        try c.encode(addedAt, forKey: Key("added_at"))
        try c.encodeIfPresent(removedBy, forKey: Key("removed_by"))
        try c.encodeIfPresent(removedAt, forKey: Key("removed_at"))
    }
}

/// A team table (`forensic_case_members`, `trace_members`): rows are added, and ended once; never
/// rewritten or deleted (each table's triggers refuse it). Table and key names are the module's
/// constants, never input.
public struct TeamStore: Sendable {
    public let table: String
    /// The column naming the record (`case_id`), also the JSON name of the record's id.
    public let key: String
    let logger: Logger

    public init(table: String, key: String, logger: Logger = AuditWriter.quietLogger) {
        self.table = table
        self.key = key
        self.logger = logger
    }

    var columns: String { "id, \(key), user_id, username, reason, added_by, added_at, removed_by, removed_at" }

    func decode(_ row: PostgresRow) throws -> TeamMember {
        let (id, recordID, userID, username, reason, addedBy, addedAt, removedBy, removedAt) =
            try row.decode((UUID, UUID, UUID, String, String, String, Date, String?, Date?).self)
        return TeamMember(id: id, recordID: recordID, userID: userID, username: username, reason: reason, addedBy: addedBy, addedAt: addedAt,
                          removedBy: removedBy, removedAt: removedAt, recordKey: key)
    }

    /// Adds `userID` to the record's team; nil when they are a current member already.
    public func add(_ recordID: UUID, userID: UUID, username: String, reason: String, by addedBy: String,
                    on connection: PostgresConnection) async throws -> TeamMember? {
        let rows = try await connection.query("""
            INSERT INTO \(unescaped: table) (id, \(unescaped: key), user_id, username, reason, added_by)
            VALUES (\(UUID()), \(recordID), \(userID), \(username), \(reason), \(addedBy))
            ON CONFLICT (\(unescaped: key), user_id) WHERE removed_at IS NULL DO NOTHING
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Ends the current membership of `userID`; nil when there is none.
    public func end(_ recordID: UUID, userID: UUID, by removedBy: String, on connection: PostgresConnection) async throws -> TeamMember? {
        let rows = try await connection.query("""
            UPDATE \(unescaped: table) SET removed_by = \(removedBy), removed_at = date_trunc('milliseconds', clock_timestamp())
            WHERE \(unescaped: key) = \(recordID) AND user_id = \(userID) AND removed_at IS NULL
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Every membership of the record, current and ended, oldest first.
    public func list(_ recordID: UUID, on connection: PostgresConnection) async throws -> [TeamMember] {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM \(unescaped: table) WHERE \(unescaped: key) = \(recordID) ORDER BY added_at, id
            """, logger: logger)
        var members: [TeamMember] = []
        for try await row in rows { members.append(try decode(row)) }
        return members
    }

    public func isCurrentMember(_ recordID: UUID, userID: UUID?, on connection: PostgresConnection) async throws -> Bool {
        guard let userID else { return false }
        let rows = try await connection.query("""
            SELECT 1 FROM \(unescaped: table) WHERE \(unescaped: key) = \(recordID) AND user_id = \(userID) AND removed_at IS NULL
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    public func currentCount(_ recordID: UUID, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("""
            SELECT count(*)::int FROM \(unescaped: table) WHERE \(unescaped: key) = \(recordID) AND removed_at IS NULL
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
