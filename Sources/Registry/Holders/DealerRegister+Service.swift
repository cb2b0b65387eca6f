import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// A dealer's or broker's register, and the end of its trade.
extension Registry {
    static let tradingKinds: Set<HolderKind> = [.dealer, .broker]

    func dealerRegister(holderID: UUID, page: PageRequest, by principal: Principal, requestID: String?) async throws -> Page<RegisterEntry> {
        let (holder, register) = try await database.withConnection { connection -> (Holder?, Page<RegisterEntry>?) in
            guard let holder = try await HolderStore.find(id: holderID, on: connection) else { return (nil, nil) }
            guard Self.tradingKinds.contains(holder.kind) else { return (holder, nil) }
            return (holder, try await HolderStore.register(holderID: holderID, page: page, on: connection))
        }
        guard let holder else { throw Problem.notFound("no holder \(holderID.uuidString.lowercased())") }
        guard let register else {
            throw Problem.conflict("\(holder.reference) is a \(holder.kind.rawValue), not a dealer or broker: it keeps no register",
                                   slug: "not-a-dealer")
        }
        try await audit.record(AuditEntry(principal: principal, action: "holder.register", recordType: "holder",
                                          recordID: holderID.uuidString, requestID: requestID,
                                          detail: AuditEntry.detail(["entries": "\(register.items.count)"])))
        return register
    }

    /// The dealer or broker ceased trading: its register passes to the state (it stays readable).
    public func cease(holderID: UUID, expectedVersion: Int, _ cessation: Cessation, by principal: Principal,
                      requestID: String?) async throws -> Holder {
        var errors = FieldRules()
        if cessation.ceasedOn > today { errors.add("ceased_on", "is in the future") }
        errors.check(cessation.authority, "authority", max: 200, required: true)
        try errors.throwIfAny()
        return try await database.transaction { connection in
            guard let current = try await HolderStore.find(id: holderID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no holder \(holderID.uuidString.lowercased())")
            }
            try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "holder \(current.reference)")
            guard Self.tradingKinds.contains(current.kind) else {
                throw Problem.conflict("only a dealer or broker ceases trading; \(current.reference) is a \(current.kind.rawValue)", slug: "not-a-dealer")
            }
            if let ceased = current.ceasedOn { throw Problem.conflict("\(current.reference) ceased trading already, on \(ceased)", slug: "ceased") }
            let updated = try await HolderStore.cease(id: holderID, cessation, on: connection)
            try await HolderStore.history.append(updated, id: holderID, version: updated.version, change: "ceased trading", by: principal,
                                                 on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "holder.ceased", recordType: "holder", recordID: holderID.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["ceased_on": cessation.ceasedOn.text, "authority": cessation.authority])),
                                      on: connection)
            return updated
        }
    }
}
