import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// The case's status follows the work done on it (issue 25), in the transaction of that work:
/// an examination started moves a received case to `under_examination`; a review of its report
/// moves it to `in_review`; issuing the report moves it to `reported`. Each move is a version of the
/// case (`change` says what caused it) and a `case.status` audit entry; nobody moves it by hand
/// before the work is there.
extension Forensics {
    /// Moves `owner` (locked by the caller) to `status` when it is in one of `from`; returns the
    /// case as it is after.
    @discardableResult
    static func advance(_ owner: ForensicCase, to status: CaseStatus, from: Set<CaseStatus>, because change: String, by principal: Principal,
                        requestID: String?, on connection: PostgresConnection) async throws -> ForensicCase {
        guard from.contains(owner.status), owner.status != status else { return owner }
        let updated = try await CaseStore.update(id: owner.id, CaseRevision(fields: owner.fields, status: status), on: connection)
        try await CaseStore.history.append(updated, id: owner.id, version: updated.version, change: "\(status.rawValue): \(change)", by: principal,
                                           on: connection)
        try await AuditLog.append(AuditEntry(principal: principal, action: "case.status", recordType: "case", recordID: owner.id.uuidString,
                                             requestID: requestID,
                                             detail: AuditEntry.detail(["from": owner.status.rawValue, "to": status.rawValue, "because": change])),
                                  on: connection)
        return updated
    }
}
