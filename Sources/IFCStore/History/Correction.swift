import Foundation
import IFCCore
import PostgresNIO

/// The one path of a correction (a PATCH) of a mutable record, in one transaction: lock the
/// record (404 when absent), check `If-Match` (412), apply the change, check the fields (422),
/// refuse a change that changes nothing (422), check the record's state (the module's refusals,
/// typically 409), write the new version with `UPDATE … RETURNING`, then keep the version in the
/// history and write the audit entry in one round trip.
public struct Correction<Record: Encodable & Sendable, Fields: Equatable & Sendable>: Sendable {
    /// The audit's record type (`exhibit`): actions are `<recordType>.update`.
    public var recordType: String
    public var history: RecordHistory
    /// The record `FOR UPDATE`, or nil.
    public var lock: @Sendable (UUID, PostgresConnection) async throws -> Record?
    /// Writes the fields as the record's next version and answers the record as it became.
    public var write: @Sendable (UUID, Fields, PostgresConnection) async throws -> Record
    public var fields: @Sendable (Record) -> Fields
    public var version: @Sendable (Record) -> Int
    /// How problems name the record (`exhibit EX-2026-000001`).
    public var label: @Sendable (Record) -> String
    /// The names of the fields that differ, for the history entry and the audit detail.
    public var changed: @Sendable (Fields, Fields) -> [String]

    public init(recordType: String, history: RecordHistory,
                lock: @escaping @Sendable (UUID, PostgresConnection) async throws -> Record?,
                write: @escaping @Sendable (UUID, Fields, PostgresConnection) async throws -> Record,
                fields: @escaping @Sendable (Record) -> Fields, version: @escaping @Sendable (Record) -> Int,
                label: @escaping @Sendable (Record) -> String, changed: @escaping @Sendable (Fields, Fields) -> [String]) {
        self.recordType = recordType
        self.history = history
        self.lock = lock
        self.write = write
        self.fields = fields
        self.version = version
        self.label = label
        self.changed = changed
    }

    /// Corrects record `id` at `expectedVersion`, in a transaction of its own.
    /// - Parameters:
    ///   - apply: the change, applied to the current fields.
    ///   - problems: what is wrong with the changed fields (all of it, for one 422).
    ///   - refuse: the record's own refusals once the change is known to change something
    ///     (a closed record, a forbidden move); may read other rows on the transaction.
    ///   - note: the history's change text before the changed fields (`corrected: calibre`).
    ///   - annotate: what the history's change text adds after the changed fields.
    ///   - detail: more of the audit entry's detail (beside `version` and `changed`), once the
    ///     record is written; may write the record's own side rows on the transaction.
    public func apply(id: UUID, expectedVersion: Int?, database: Database, by principal: Principal, requestID: String?,
                      note: String = "corrected",
                      _ apply: @escaping @Sendable (Fields) -> Fields,
                      problems: @escaping @Sendable (Fields) -> [Problem.FieldError] = { _ in [] },
                      refuse: @escaping @Sendable (Record, Fields, PostgresConnection) async throws -> Void = { _, _, _ in },
                      annotate: @escaping @Sendable (Fields) -> String = { _ in "" },
                      detail: @escaping @Sendable (Record, PostgresConnection) async throws -> [String: String] = { _, _ in [:] }) async throws -> Record {
        try await database.transaction { connection in
            try await self.apply(id: id, expectedVersion: expectedVersion, on: connection, by: principal, requestID: requestID, note: note,
                                 apply, problems: problems, refuse: refuse, annotate: annotate, detail: detail)
        }
    }

    /// The same correction on the caller's transaction (another module's write through an intake
    /// API commits with the caller's record or not at all). `expectedVersion` nil skips `If-Match`.
    public func apply(id: UUID, expectedVersion: Int?, on connection: PostgresConnection, by principal: Principal, requestID: String?,
                      note: String = "corrected",
                      _ apply: @Sendable (Fields) -> Fields,
                      problems: @Sendable (Fields) -> [Problem.FieldError] = { _ in [] },
                      refuse: @Sendable (Record, Fields, PostgresConnection) async throws -> Void = { _, _, _ in },
                      annotate: @Sendable (Fields) -> String = { _ in "" },
                      detail: @Sendable (Record, PostgresConnection) async throws -> [String: String] = { _, _ in [:] }) async throws -> Record {
        guard let current = try await lock(id, connection) else {
            throw Problem.notFound("no \(recordType) \(id.uuidString.lowercased())")
        }
        if let expectedVersion {
            try Problem.checkVersion(expected: expectedVersion, current: version(current), record: label(current))
        }
        let before = fields(current)
        let after = apply(before)
        let errors = problems(after)
        if !errors.isEmpty { throw Problem.validation(errors) }
        if after == before { throw Problem.invalid("body", "names no change") }
        try await refuse(current, after, connection)
        let updated = try await write(id, after, connection)
        let changedFields = changed(before, after)
        var auditDetail = try await detail(updated, connection)
        auditDetail["version"] = "\(version(updated))"
        auditDetail["changed"] = changedFields.joined(separator: ",")
        try await history.append(updated, id: id, version: version(updated), change: "\(note): " + changedFields.joined(separator: ", ") + annotate(after),
                                 by: principal,
                                 audit: AuditEntry(principal: principal, action: "\(recordType).update", recordType: recordType,
                                                   recordID: id.uuidString, requestID: requestID, detail: AuditEntry.detail(auditDetail)),
                                 on: connection)
        return updated
    }
}
