import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

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
    public func changeHolder(id: UUID, expectedVersion: Int, _ change: @escaping @Sendable (NewHolder) -> NewHolder, by principal: Principal,
                             requestID: String?) async throws -> Holder {
        let today = self.today
        return try await HolderStore.correction.apply(id: id, expectedVersion: expectedVersion, database: database, by: principal,
                                                      requestID: requestID, note: "changed", { holder in
            var holder = change(holder)
            holder.name = holder.name.trimmingCharacters(in: .whitespacesAndNewlines)
            return holder
        }, problems: { NewHolder.problems(name: $0.name, idNumber: $0.idNumber, address: $0.address)
                       + NewHolder.identityProblems(dateOfBirth: $0.dateOfBirth, today: today) })
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
