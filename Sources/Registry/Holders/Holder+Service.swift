import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// Recording, changing and reading holders; every change keeps the version it replaced.
extension Registry {
    public func createHolder(_ new: NewHolder, by principal: Principal, requestID: String?) async throws -> Holder {
        let checked = try new.checked(today: today)
        let now = environment.now()
        return try await database.transaction { connection in
            let holder = try await HolderStore.insert(checked, now: now, on: connection)
            try await HolderStore.history.append(holder, id: holder.id, version: holder.version, change: "recorded", by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "holder.create", recordType: "holder",
                                                 recordID: holder.id.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["reference": holder.reference])), on: connection)
            return holder
        }
    }

    /// Applies `changes` to the holder at `expectedVersion` (e.g. a new address): a new version.
    public func changeHolder(id: UUID, expectedVersion: Int, _ changes: HolderChanges, by principal: Principal,
                             requestID: String?) async throws -> Holder {
        // The changed fields' own rules first, so a bad value is 422 whatever the version.
        let today = self.today
        let early = NewHolder.identityProblems(dateOfBirth: changes.dateOfBirth, today: today)
        if !early.isEmpty { throw Problem.validation(early) }
        return try await database.transaction { connection in
            guard let current = try await HolderStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no holder \(id.uuidString.lowercased())")
            }
            try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "holder \(current.reference)")
            let fields = try changes.applied(to: current).checked(today: today)
            if fields == current.fields { throw Problem.invalid("body", "names no change") }
            let updated = try await HolderStore.update(id: id, fields, on: connection)
            let changed = [("kind", fields.kind != current.kind), ("name", fields.name != current.name),
                           ("id_number", fields.idNumber != current.idNumber), ("address", fields.address != current.address),
                           ("country", fields.country != current.country), ("date_of_birth", fields.dateOfBirth != current.dateOfBirth),
                           ("nationality", fields.nationality != current.nationality),
                           ("id_document_kind", fields.idDocumentKind != current.idDocumentKind)].filter(\.1).map(\.0)
            try await HolderStore.history.append(updated, id: id, version: updated.version, change: "changed: " + changed.joined(separator: ", "),
                                                 by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "holder.update", recordType: "holder",
                                                 recordID: id.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["version": "\(updated.version)", "changed": changed.joined(separator: ",")])),
                                      on: connection)
            return updated
        }
    }

    public func holder(id: UUID, by principal: Principal, requestID: String?) async throws -> Holder {
        try await AuditedRead(recordType: "holder", database: database, audit: audit).one(id, by: principal, requestID: requestID) {
            try await HolderStore.find(id: id, on: $0)
        }
    }

    public func holderHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Holder>] {
        try await HolderStore.history.read(id, as: Holder.self, recordType: "holder", database: database, audit: audit, by: principal,
                                       requestID: requestID)
    }

    func holders(name: String?, idNumber: String?, dateOfBirth: CalendarDate?, page: PageRequest, query: [String: String],
                 by principal: Principal, requestID: String?) async throws -> Page<Holder> {
        // A transaction: the name search sets its similarity threshold for this transaction only.
        let result = try await database.transaction {
            try await HolderStore.list(name: name, idNumber: idNumber, dateOfBirth: dateOfBirth, page: page, on: $0)
        }
        try await audit.recordReads(of: result.items.map(\.id), action: "holder.list", recordType: "holder", by: principal,
                                    requestID: requestID, query: query)
        return result
    }
}
