import Foundation
import ForensicsAPI
import IFCCore
import IFCStore

/// One examination and its versions, read by who may see its case (need-to-know: a hidden case's
/// examination answers 404 like an absent one, with the case's `denied` entry). The history shows
/// every change by whom and when, so another examiner's rewrite is visible in the record itself,
/// not only in the audit trail.
extension Forensics {
    public func examination(id: UUID, by principal: Principal, requestID: String?) async throws -> Examination {
        let found = try await database.withConnection { connection -> Examination? in
            guard let examination = try await ExaminationStore.find(id: id, on: connection),
                  try await self.visibleCase(examination.caseID, by: principal, requestID: requestID, on: connection) != nil else { return nil }
            return examination
        }
        guard let found else { throw Problem.notFound("no examination \(id.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "examination.read", recordType: "examination", recordID: id.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["case_id": found.caseID.uuidString.lowercased()])))
        return found
    }

    public func examinationHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Examination>] {
        _ = try await examinationCase(id, by: principal, requestID: requestID)
        return try await ExaminationStore.history.read(id, as: Examination.self, recordType: "examination", database: database, audit: audit,
                                                       by: principal, requestID: requestID)
    }

    /// The case of examination `id` when `principal` may see it; 404 otherwise.
    private func examinationCase(_ id: UUID, by principal: Principal, requestID: String?) async throws -> UUID {
        try await database.withConnection { connection in
            let caseID = try await ExaminationStore.caseID(of: id, on: connection)
            _ = try await self.requireVisibleCase(caseID, by: principal, requestID: requestID, on: connection)
            return caseID
        }
    }
}
