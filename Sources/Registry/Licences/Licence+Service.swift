import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Issuing, changing and reading licences; every change keeps the version it replaced.
extension Registry {
    public func issueLicence(_ new: NewLicence, by principal: Principal, requestID: String?) async throws -> Licence {
        let errors = new.problems()
        if !errors.isEmpty { throw Problem.validation(errors) }
        let today = self.today
        do {
            return try await database.transaction { connection in
                guard try await HolderStore.find(id: new.holderID, on: connection) != nil else {
                    throw Problem.invalid("holder_id", "no holder has this id")
                }
                let unknown = try await LicenceStore.unknownFirearms(new.firearmIDs, on: connection)
                if let index = new.firearmIDs.firstIndex(where: unknown.contains) {
                    throw Problem.invalid("firearm_ids[\(index)]", "no firearm has this id")
                }
                let id = try await LicenceStore.insert(new, on: connection)
                guard let licence = try await LicenceStore.find(id: id, today: today, on: connection) else { throw Problem.internal(requestID: requestID) }
                try await LicenceStore.history.append(licence, id: id, version: licence.version, change: "issued", by: principal, on: connection)
                try await AuditLog.append(AuditEntry(principal: principal, action: "licence.create", recordType: "licence",
                                                     recordID: id.uuidString, requestID: requestID,
                                                     detail: AuditEntry.detail(["number": new.number, "firearms": "\(new.firearmIDs.count)"])),
                                          on: connection)
                return licence
            }
        } catch let error as StoreError where error.sqlState == "23505" {
            throw Problem.conflict("a licence numbered \(new.number) exists already", slug: "duplicate-licence")
        }
    }

    /// Revokes, suspends or reinstates a licence, or changes its end date, at the version read.
    public func changeLicence(id: UUID, expectedVersion: Int, _ changes: LicenceChanges, by principal: Principal,
                              requestID: String?) async throws -> Licence {
        let errors = changes.problems()
        if !errors.isEmpty { throw Problem.validation(errors) }
        let today = self.today
        return try await database.transaction { connection in
            guard let current = try await LicenceStore.find(id: id, today: today, forUpdate: true, on: connection) else {
                throw Problem.notFound("no licence \(id.uuidString.lowercased())")
            }
            try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "licence \(current.number)")
            if let refusal = changes.refusal(for: current) { throw refusal }
            try await LicenceStore.update(id: id, changes, on: connection)
            guard let licence = try await LicenceStore.find(id: id, today: today, on: connection) else { throw Problem.internal(requestID: requestID) }
            try await LicenceStore.history.append(licence, id: id, version: licence.version,
                                                  change: [changes.status.map { "status: \($0.rawValue)" },
                                                           changes.validUntil.map { "valid_until: \($0)" },
                                                           changes.conditions.map { _ in "conditions" }].compactMap { $0 }.joined(separator: ", "),
                                                  by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "licence.update", recordType: "licence",
                                                 recordID: id.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["status": licence.status.rawValue, "valid_until": licence.validUntil.text])),
                                      on: connection)
            return licence
        }
    }

    public func licence(id: UUID, by principal: Principal, requestID: String?) async throws -> Licence {
        let today = self.today
        return try await AuditedRead(recordType: "licence", database: database, audit: audit).one(id, by: principal, requestID: requestID) {
            try await LicenceStore.find(id: id, today: today, on: $0)
        }
    }

    public func licenceHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Licence>] {
        try await LicenceStore.history.read(id, as: Licence.self, recordType: "licence", database: database, audit: audit, by: principal,
                                       requestID: requestID)
    }

    func licences(holderID: UUID?, page: PageRequest, query: [String: String], by principal: Principal,
                  requestID: String?) async throws -> Page<Licence> {
        let today = self.today
        let result = try await database.withConnection { try await LicenceStore.list(holderID: holderID, page: page, today: today, on: $0) }
        try await audit.recordReads(of: result.items.map(\.id), action: "licence.list", recordType: "licence", by: principal,
                                    requestID: requestID, query: query)
        return result
    }
}
