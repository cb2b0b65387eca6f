import Foundation
import ExhibitsAPI
import IFCCore
import IFCStore

/// What other modules (tracing) may ask of the exhibits module: an exhibit, by id or reference.
/// Every read is audited as the caller's, like a read through the API, with the module it came
/// through (`detail.query.via`), so "who looked at this exhibit" has one answer whichever module
/// showed it. No other module reads or writes the exhibits tables.
public struct ExhibitsReader: ExhibitsReading {
    let exhibits: Exhibits
    let module: String

    public func exhibit(id: UUID, by principal: Principal, requestID: String?) async throws -> Exhibit? {
        let found = try await visible(try await exhibits.database.withConnection { try await ExhibitStore.find(id: id, on: $0) }, by: principal)
        try await record(found.map { [$0.id] } ?? [], by: principal, requestID: requestID, query: ["id": id.uuidString.lowercased()])
        return found
    }

    /// An exhibit by its number (`EX-2026-000123`).
    public func exhibit(reference: String, by principal: Principal, requestID: String?) async throws -> Exhibit? {
        let found = try await visible(try await exhibits.database.withConnection { try await ExhibitStore.find(reference: reference, on: $0) },
                                      by: principal)
        try await record(found.map { [$0.id] } ?? [], by: principal, requestID: requestID, query: ["reference": reference])
        return found
    }

    /// Nil for an exhibit whose case `principal` may not see: it follows its case.
    private func visible(_ found: Exhibit?, by principal: Principal) async throws -> Exhibit? {
        guard let found, try await exhibits.hiddenExhibits([found.id], by: principal).isEmpty else { return nil }
        return found
    }

    private func record(_ ids: [UUID], by principal: Principal, requestID: String?, query: [String: String]) async throws {
        var query = query
        query["via"] = module
        try await exhibits.audit.recordReads(of: ids, action: "exhibit.read", recordType: "exhibit", by: principal, requestID: requestID,
                                             query: query)
    }
}

extension Exhibits {
    /// The read API another module is given, its reads audited as coming through `module`.
    public func reader(for module: String) -> ExhibitsReader {
        ExhibitsReader(exhibits: self, module: module)
    }
}
