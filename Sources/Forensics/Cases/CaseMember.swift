import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// A membership of a case's team: who, why, added by whom and when, and when it ended. A
/// `confidential` or `secret` case is seen only by its current members cleared to its level.
public struct CaseMember: Sendable, Codable, Equatable {
    public var id: UUID
    public var caseID: UUID
    public var userID: UUID
    public var username: String
    public var reason: String
    public var addedBy: String
    public var addedAt: Date
    public var removedBy: String?
    public var removedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, username, reason
        case caseID = "case_id", userID = "user_id", addedBy = "added_by", addedAt = "added_at", removedBy = "removed_by",
             removedAt = "removed_at"
    }
}

/// The forensic_case_members table (migration 0031): rows are added, and ended once; never
/// rewritten or deleted (the database refuses it).
enum CaseMemberStore {
    static let columns = "id, case_id, user_id, username, reason, added_by, added_at, removed_by, removed_at"

    static func decode(_ row: PostgresRow) throws -> CaseMember {
        let (id, caseID, userID, username, reason, addedBy, addedAt, removedBy, removedAt) =
            try row.decode((UUID, UUID, UUID, String, String, String, Date, String?, Date?).self)
        return CaseMember(id: id, caseID: caseID, userID: userID, username: username, reason: reason, addedBy: addedBy, addedAt: addedAt,
                          removedBy: removedBy, removedAt: removedAt)
    }

    /// Adds `userID` to the team; nil when they are a current member already.
    static func add(caseID: UUID, userID: UUID, username: String, reason: String, by addedBy: String,
                    on connection: PostgresConnection) async throws -> CaseMember? {
        let rows = try await connection.query("""
            INSERT INTO forensic_case_members (id, case_id, user_id, username, reason, added_by)
            VALUES (\(UUID()), \(caseID), \(userID), \(username), \(reason), \(addedBy))
            ON CONFLICT (case_id, user_id) WHERE removed_at IS NULL DO NOTHING
            RETURNING \(unescaped: columns)
            """, logger: CaseStore.logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Ends the current membership of `userID`; nil when there is none.
    static func end(caseID: UUID, userID: UUID, by removedBy: String, on connection: PostgresConnection) async throws -> CaseMember? {
        let rows = try await connection.query("""
            UPDATE forensic_case_members SET removed_by = \(removedBy), removed_at = date_trunc('milliseconds', clock_timestamp())
            WHERE case_id = \(caseID) AND user_id = \(userID) AND removed_at IS NULL
            RETURNING \(unescaped: columns)
            """, logger: CaseStore.logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Every membership of the case, current and ended, oldest first.
    static func list(caseID: UUID, on connection: PostgresConnection) async throws -> [CaseMember] {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM forensic_case_members WHERE case_id = \(caseID) ORDER BY added_at, id
            """, logger: CaseStore.logger)
        var members: [CaseMember] = []
        for try await row in rows { members.append(try decode(row)) }
        return members
    }

    static func isCurrentMember(caseID: UUID, userID: UUID?, on connection: PostgresConnection) async throws -> Bool {
        guard let userID else { return false }
        let rows = try await connection.query("""
            SELECT 1 FROM forensic_case_members WHERE case_id = \(caseID) AND user_id = \(userID) AND removed_at IS NULL
            """, logger: CaseStore.logger)
        for try await _ in rows { return true }
        return false
    }

    static func currentCount(caseID: UUID, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("""
            SELECT count(*)::int FROM forensic_case_members WHERE case_id = \(caseID) AND removed_at IS NULL
            """, logger: CaseStore.logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
