import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// An examiner's authorisation for one kind of examination, from a day to a day (ISO/IEC 17025
/// §6.2.5–6.2.6): recorded by a laboratory manager with its basis, ended once with the reason,
/// never rewritten. Examinations, verifications and technical reviews need one on their day
/// (migration 0035).
public struct ExaminerAuthorisation: Sendable, Codable, Equatable {
    public var id: UUID
    public var userID: UUID?
    public var username: String
    public var kind: ExaminationKind
    public var validFrom: CalendarDate
    public var validUntil: CalendarDate?
    public var basis: String
    public var grantedBy: String
    public var endedBy: String?
    public var endedAt: Date?
    public var endReason: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, username, kind, basis, version
        case userID = "user_id", validFrom = "valid_from", validUntil = "valid_until", grantedBy = "granted_by", endedBy = "ended_by",
             endedAt = "ended_at", endReason = "end_reason", createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// The examiner_authorisations table and its versions (migration 0035).
enum AuthorisationStore {
    static let history = RecordHistory(table: "examiner_authorisation_versions", key: "authorisation_id")
    static let logger = AuditWriter.quietLogger
    static let columns = """
        id, user_id, username, kind, valid_from::text, valid_until::text, basis, granted_by, ended_by, ended_at, end_reason, version,
        created_at, updated_at
        """
    static let cursorTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func decode(_ row: PostgresRow) throws -> ExaminerAuthorisation {
        let c = row.makeRandomAccess()
        return ExaminerAuthorisation(
            id: try c[0].decode(UUID.self), userID: try c[1].decode(UUID?.self), username: try c[2].decode(String.self),
            kind: ExaminationKind(rawValue: try c[3].decode(String.self)) ?? .other, validFrom: try CalendarDate.decode(c[4]),
            validUntil: try CalendarDate.decodeIfPresent(c[5]), basis: try c[6].decode(String.self), grantedBy: try c[7].decode(String.self),
            endedBy: try c[8].decode(String?.self), endedAt: try c[9].decode(Date?.self), endReason: try c[10].decode(String?.self),
            version: try c[11].decode(Int.self), createdAt: try c[12].decode(Date.self), updatedAt: try c[13].decode(Date.self))
    }

    static func insert(userID: UUID?, username: String, kind: ExaminationKind, validFrom: CalendarDate, validUntil: CalendarDate?, basis: String,
                       by grantedBy: String, on connection: PostgresConnection) async throws -> ExaminerAuthorisation {
        let rows = try await connection.query("""
            INSERT INTO examiner_authorisations (id, user_id, username, kind, valid_from, valid_until, basis, granted_by)
            VALUES (\(UUID()), \(userID), \(username), \(kind.rawValue), \(validFrom.text)::date, \(validUntil?.text)::date, \(basis), \(grantedBy))
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    static func end(id: UUID, lastDay: CalendarDate, reason: String, by endedBy: String,
                    on connection: PostgresConnection) async throws -> ExaminerAuthorisation {
        let rows = try await connection.query("""
            UPDATE examiner_authorisations SET valid_until = \(lastDay.text)::date, ended_by = \(endedBy),
                ended_at = date_trunc('milliseconds', clock_timestamp()), end_reason = \(reason), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> ExaminerAuthorisation? {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM examiner_authorisations WHERE id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    struct ListFilter: Sendable {
        var username: String?
        var kind: ExaminationKind?
        /// Only those holding on this day.
        var on: CalendarDate?
    }

    /// Newest first.
    static func list(_ filter: ListFilter, page: PageRequest, on connection: PostgresConnection) async throws -> Page<ExaminerAuthorisation> {
        let afterTime = page.after.flatMap { try? Date($0[0], strategy: cursorTime) }
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let kind = filter.kind?.rawValue, day = filter.on?.text
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM examiner_authorisations
            WHERE (\(afterTime)::timestamptz IS NULL OR (created_at, id) < (\(afterTime)::timestamptz, \(afterID)::uuid))
              AND (\(filter.username)::text IS NULL OR lower(username) = lower(\(filter.username)))
              AND (\(kind)::text IS NULL OR kind = \(kind))
              AND (\(day)::date IS NULL OR (valid_from <= \(day)::date AND (valid_until IS NULL OR valid_until >= \(day)::date)))
            ORDER BY created_at DESC, id DESC
            LIMIT \(page.limit + 1)
            """, logger: logger)
        var items: [ExaminerAuthorisation] = []
        for try await row in rows { items.append(try decode(row)) }
        return Page(fetched: items, limit: page.limit, key: { [$0.createdAt.formatted(cursorTime), $0.id.uuidString] })
    }

    /// Is `username` authorised for `kind` on `day` (`examiner_authorised`, the table's rule)?
    static func authorised(_ username: String, kind: ExaminationKind, on day: CalendarDate?, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("""
            SELECT examiner_authorised(\(username), \(kind.rawValue), coalesce(\(day?.text)::date, current_date))
            """, logger: logger)
        for try await value in rows.decode(Bool.self) { return value }
        return false
    }
}
