import Foundation
import ForensicsAPI
import IFCCore
import IFCStore

/// What other modules (exhibits, tracing) may ask of the forensics module: a seizure, a case or
/// an examination, by id or reference. Every read is audited as the caller's, like a read
/// through the API, with the module it came through (`detail.query.via`), so "who looked at
/// this case" has one answer whichever module showed it. No other module reads or writes the
/// forensics tables.
public struct ForensicsReader: ForensicsReading {
    let forensics: Forensics
    let module: String

    public func seizure(id: UUID, by principal: Principal, requestID: String?) async throws -> Seizure? {
        let found = try await forensics.database.withConnection {
            try await forensics.visibleSeizure(id, by: principal, requestID: requestID, on: $0)
        }
        try await record(found.map { [$0.id] } ?? [], action: "seizure.read", recordType: "seizure", by: principal,
                         requestID: requestID, query: ["id": id.uuidString.lowercased()])
        return found
    }

    public func forensicCase(id: UUID, by principal: Principal, requestID: String?) async throws -> ForensicCase? {
        let found = try await forensics.database.withConnection {
            try await forensics.visibleCase(id, by: principal, requestID: requestID, on: $0)
        }
        try await record(found.map { [$0.id] } ?? [], action: "case.read", recordType: "case", by: principal,
                         requestID: requestID, query: ["id": id.uuidString.lowercased()])
        return found
    }

    /// An examination with the case it belongs to; nil when either is unknown.
    public func examination(id: UUID, by principal: Principal, requestID: String?) async throws -> Examination? {
        let found = try await forensics.database.withConnection { connection -> Examination? in
            guard let found = try await ExaminationStore.find(id: id, on: connection),
                  try await forensics.visibleCase(found.caseID, by: principal, requestID: requestID, on: connection) != nil else { return nil }
            return found
        }
        try await record(found.map { [$0.caseID] } ?? [], action: "examination.read", recordType: "case", by: principal,
                         requestID: requestID, query: ["examination_id": id.uuidString.lowercased()])
        return found
    }

    /// Cases as `GET /v1/cases` lists them (newest received first, a page at a time), each
    /// audited as read.
    public func cases(page: PageRequest, by principal: Principal, requestID: String?) async throws -> Page<ForensicCase> {
        let found = try await forensics.database.withConnection { try await CaseStore.list(.init(), as: CaseViewer(principal), page: page, on: $0) }
        try await record(found.items.map(\.id), action: "case.list", recordType: "case", by: principal, requestID: requestID,
                         query: ["limit": "\(page.limit)"])
        return found
    }

    /// A case's examinations, oldest first (the case audited as read).
    public func examinations(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [Examination] {
        let found = try await forensics.database.withConnection { connection -> [Examination] in
            guard try await forensics.visibleCase(caseID, by: principal, requestID: requestID, on: connection) != nil else { return [] }
            return try await ExaminationStore.list(caseID: caseID, on: connection)
        }
        try await record(found.isEmpty ? [] : [caseID], action: "examination.list", recordType: "case", by: principal,
                         requestID: requestID, query: ["case_id": caseID.uuidString.lowercased()])
        return found
    }

    public func visibleCases(_ caseIDs: Set<UUID>, by principal: Principal) async throws -> Set<UUID> {
        guard !caseIDs.isEmpty else { return [] }
        return try await forensics.database.withConnection { try await CaseStore.visible(Array(caseIDs), as: CaseViewer(principal), on: $0) }
    }

    private func record(_ ids: [UUID], action: String, recordType: String, by principal: Principal, requestID: String?,
                        query: [String: String]) async throws {
        var query = query
        query["via"] = module
        try await forensics.audit.recordReads(of: ids, action: action, recordType: recordType, by: principal, requestID: requestID,
                                              query: query)
    }
}

extension Forensics {
    /// The read API another module is given, its reads audited as coming through `module`.
    public func reader(for module: String) -> ForensicsReader {
        ForensicsReader(forensics: self, module: module)
    }
}
