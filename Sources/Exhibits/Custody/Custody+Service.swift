import Foundation
import ExhibitsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// The chain of custody: each step locks the exhibit's row, checks who may act, and writes the
/// transfer, the next chain entry, the exhibit's new version and the audit entry in one
/// transaction. The database refuses a second open transfer and a forked or gapped chain
/// whatever this code does.
extension Exhibits {
    /// Puts the exhibit in transit to a user, a location or an outside party. Only its custodian
    /// sends (anyone of the lab for an exhibit held at a location or returned from outside), and
    /// not while it is in transit or after its disposition.
    public func send(exhibitID: UUID, _ transfer: NewTransfer, by principal: Principal, requestID: String?) async throws -> Transfer {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        // Only the named receiver receives: a receiver who cannot log in, or whose roles do not
        // receive exhibits (a clerk), would leave the item in transit for ever.
        if transfer.to.kind == .user {
            guard let receiver = try await users.account(username: transfer.to.name), !receiver.disabled else {
                throw Problem.invalid("to_user", "names no enabled user of this system")
            }
            guard !Self.receivingRoles.isDisjoint(with: receiver.roles) else {
                throw Problem.invalid("to_user", "\(receiver.username) holds no role that receives exhibits (\(Self.receivingRoles.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
        }
        return try await recordSending(exhibitID: exhibitID, transfer, by: principal, requestID: requestID)
    }

    /// `send` once the receiver is known to be a user who can receive (the demo sample's
    /// examiners are fictional people without accounts: it calls this directly).
    func recordSending(exhibitID: UUID, _ transfer: NewTransfer, by principal: Principal, requestID: String?) async throws -> Transfer {
        let now = environment.now()
        return try await database.transaction { connection in
            let (exhibit, clock) = try await Self.lockForCustody(exhibitID, by: principal, on: connection)
            if transfer.to.kind == exhibit.custodianKind && transfer.to.name == exhibit.custodian {
                throw Problem.invalid("to", "names the exhibit's current custodian")
            }
            let id = UUID()
            var detail = ["to_kind": transfer.to.kind.rawValue, "to": transfer.to.name, "purpose": transfer.purpose]
            if !transfer.sealIntact { detail["seal"] = "not intact on sending" }
            let sealNumber = transfer.sealNumber ?? exhibit.sealNumber
            var next = exhibit.changed(at: clock)
            next.status = .inTransit
            next.sealNumber = sealNumber
            var step = try CustodyStep.Values(
                kind: .send, exhibitID: exhibitID, updatedAt: clock,
                entry: .init(event: .sent, transferID: id, recordedBy: principal.username, custodianKind: exhibit.custodianKind,
                             custodian: exhibit.custodian, sealNumber: sealNumber, sealIntact: transfer.sealIntact, detail: detail, at: now),
                version: next, change: "sent to \(transfer.to.name) (\(transfer.to.kind.rawValue)): \(transfer.purpose)", by: principal,
                audit: AuditEntry(principal: principal, action: "exhibit.transfer.send", recordType: "exhibit", recordID: exhibitID.uuidString,
                                  requestID: requestID,
                                  detail: AuditEntry.detail(detail.merging(["transfer_id": id.uuidString.lowercased()]) { a, _ in a })))
            step.sending(from: exhibit, by: principal.username, transfer)
            guard let sent = try await CustodyStep.run(step, expected: next, requestID: requestID, on: connection) else {
                throw Problem.internal(requestID: requestID)
            }
            return sent
        }
    }

    /// Completes a transfer. A user transfer is received by the named user alone; a location
    /// transfer by an evidence officer, who takes it in there; an outside hand-over is recorded by its
    /// sender with the signed receipt's SHA-256 and reference. A seal found broken flags the exhibit.
    public func receive(exhibitID: UUID, transferID: UUID, _ receipt: NewReceipt, by principal: Principal,
                        requestID: String?) async throws -> Transfer {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        let now = environment.now()
        return try await database.transaction { connection in
            let (exhibit, transfer, clock) = try await Self.lockTransfer(transferID, of: exhibitID, on: connection)
            guard transfer.status == .inTransit else {
                throw Problem.conflict("the transfer of \(exhibit.reference) is \(transfer.status.rawValue) already", slug: "transfer-settled")
            }
            switch transfer.toKind {
            case .user:
                guard principal.username.lowercased() == transfer.to.lowercased() else {
                    throw Problem.conflict("only \(transfer.to), the named receiver, records this receipt", slug: "not-receiver")
                }
            case .location:
                // The vault's keeper takes it in.
                guard principal.roles.contains(.evidenceOfficer) else {
                    throw Self.notEvidenceOfficer("\(exhibit.reference) is sent to \(transfer.to)")
                }
            case .outside:
                guard principal.username.lowercased() == transfer.sentBy.lowercased() else {
                    throw Problem.conflict("a hand-over outside the system is recorded by its sender, \(transfer.sentBy)", slug: "not-sender")
                }
            }
            var checks = FieldRules()
            if transfer.toKind == .outside {
                if receipt.receiptSHA256 == nil { checks.add("receipt_sha256", "is required for a hand-over outside the system: the scanned signed receipt's SHA-256") }
                if receipt.receiptReference == nil { checks.add("receipt_reference", "is required for a hand-over outside the system") }
            } else {
                if receipt.receiptSHA256 != nil { checks.add("receipt_sha256", "is recorded only for a hand-over outside the system") }
                if receipt.receiptReference != nil { checks.add("receipt_reference", "is recorded only for a hand-over outside the system") }
            }
            try checks.throwIfAny()
            let event: CustodyEvent = transfer.toKind == .outside ? .handedOver : .received
            var detail: [String: String] = [:]
            if let condition = receipt.condition { detail["condition"] = condition }
            if let remarks = receipt.remarks { detail["remarks"] = remarks }
            if let sha = receipt.receiptSHA256 { detail["receipt_sha256"] = sha }
            if let reference = receipt.receiptReference { detail["receipt_reference"] = reference }
            if !receipt.sealIntact { detail["seal"] = "broken on receipt" }
            let sealNumber = transfer.sealNumber ?? exhibit.sealNumber
            var next = exhibit.changed(at: clock)
            next.custodianKind = transfer.toKind
            next.custodian = transfer.to
            next.status = .held
            next.sealNumber = sealNumber
            if transfer.toKind == .location { next.storageLocation = transfer.to }
            next.sealBroken = exhibit.sealBroken || !receipt.sealIntact
            let change = (event == .handedOver ? "handed over to \(transfer.to)" : "received by \(principal.username)")
                + (receipt.sealIntact ? "" : "; seal found broken")
            var step = try CustodyStep.Values(
                kind: .receive, exhibitID: exhibitID, updatedAt: clock,
                entry: .init(event: event, transferID: transferID, recordedBy: principal.username, custodianKind: transfer.toKind,
                             custodian: transfer.to, sealNumber: sealNumber, sealIntact: receipt.sealIntact, detail: detail, at: now),
                version: next, change: change, by: principal,
                audit: AuditEntry(principal: principal, action: "exhibit.transfer.receive", recordType: "exhibit",
                                  recordID: exhibitID.uuidString, requestID: requestID,
                                  detail: AuditEntry.detail(detail.merging(["transfer_id": transferID.uuidString.lowercased(),
                                                                            "seal_intact": "\(receipt.sealIntact)"]) { a, _ in a })))
            step.receiving(by: principal.username, receipt)
            guard let received = try await CustodyStep.run(step, expected: next, requestID: requestID, on: connection) else {
                throw Problem.internal(requestID: requestID)
            }
            return received
        }
    }

    /// The sender calls a transfer back before it is received; the exhibit is back with them.
    public func cancel(exhibitID: UUID, transferID: UUID, reason: String?, by principal: Principal, requestID: String?) async throws -> Transfer {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        let now = environment.now()
        return try await database.transaction { connection in
            let (exhibit, transfer, clock) = try await Self.lockTransfer(transferID, of: exhibitID, on: connection)
            guard transfer.status == .inTransit else {
                throw Problem.conflict("the transfer of \(exhibit.reference) is \(transfer.status.rawValue) already", slug: "transfer-settled")
            }
            guard principal.username.lowercased() == transfer.sentBy.lowercased() else {
                throw Problem.conflict("only the sender, \(transfer.sentBy), cancels this transfer", slug: "not-sender")
            }
            var next = exhibit.changed(at: clock)
            next.custodianKind = transfer.fromKind
            next.custodian = transfer.from
            next.status = .held
            var step = try CustodyStep.Values(
                kind: .cancel, exhibitID: exhibitID, updatedAt: clock,
                entry: .init(event: .cancelled, transferID: transferID, recordedBy: principal.username, custodianKind: transfer.fromKind,
                             custodian: transfer.from, sealNumber: exhibit.sealNumber, sealIntact: nil,
                             detail: reason.map { ["reason": $0] } ?? [:], at: now),
                version: next, change: "transfer to \(transfer.to) cancelled", by: principal,
                audit: AuditEntry(principal: principal, action: "exhibit.transfer.cancel", recordType: "exhibit",
                                  recordID: exhibitID.uuidString, requestID: requestID,
                                  detail: AuditEntry.detail(["transfer_id": transferID.uuidString.lowercased()])))
            step.cancelling(by: principal.username, reason: reason)
            guard let cancelled = try await CustodyStep.run(step, expected: next, requestID: requestID, on: connection) else {
                throw Problem.internal(requestID: requestID)
            }
            return cancelled
        }
    }

    /// Re-seals the exhibit (after examination) under a new seal number, recorded in the chain.
    public func reseal(exhibitID: UUID, sealNumber: String, reason: String?, by principal: Principal, requestID: String?) async throws -> Exhibit {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        let now = environment.now()
        return try await database.transaction { connection in
            let (exhibit, clock) = try await Self.lockForCustody(exhibitID, by: principal, on: connection)
            if exhibit.sealNumber == sealNumber { throw Problem.invalid("seal_number", "is the exhibit's current seal") }
            var detail = ["previous_seal_number": exhibit.sealNumber ?? "none"]
            if let reason { detail["reason"] = reason }
            var next = exhibit.changed(at: clock)
            next.status = .held
            next.sealNumber = sealNumber
            let step = try CustodyStep.Values(
                kind: .reseal, exhibitID: exhibitID, updatedAt: clock,
                entry: .init(event: .resealed, transferID: nil, recordedBy: principal.username, custodianKind: exhibit.custodianKind,
                             custodian: exhibit.custodian, sealNumber: sealNumber, sealIntact: true, detail: detail, at: now),
                version: next, change: "re-sealed under \(sealNumber)", by: principal,
                audit: AuditEntry(principal: principal, action: "exhibit.reseal", recordType: "exhibit", recordID: exhibitID.uuidString,
                                  requestID: requestID, detail: AuditEntry.detail(detail.merging(["seal_number": sealNumber]) { a, _ in a })))
            _ = try await CustodyStep.run(step, expected: next, requestID: requestID, on: connection)
            return next
        }
    }

    /// The whole chain, oldest entry first, with the transfer open now.
    public func custody(exhibitID: UUID, by principal: Principal, requestID: String?) async throws -> Custody {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        let found = try await database.withConnection { connection -> Custody? in
            guard let exhibit = try await ExhibitStore.find(id: exhibitID, on: connection) else { return nil }
            return Custody(exhibitID: exhibitID, reference: exhibit.reference, status: exhibit.status, custodianKind: exhibit.custodianKind,
                           custodian: exhibit.custodian, openTransfer: try await CustodyStore.openTransfer(exhibitID: exhibitID, on: connection),
                           entries: try await CustodyStore.entries(exhibitID: exhibitID, on: connection))
        }
        guard let found else { throw Problem.notFound("no exhibit \(exhibitID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "exhibit.custody", recordType: "exhibit", recordID: exhibitID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["entries": "\(found.entries.count)"])))
        return found
    }

    /// The roles that receive an exhibit (the receipt route's).
    static let receivingRoles: Set<Role> = [.examiner, .evidenceOfficer]

    static func notEvidenceOfficer(_ what: String) -> Problem {
        Problem(slug: "not-evidence-officer", title: "Forbidden", status: 403,
                detail: "\(what): only an evidence officer moves an item held at a location or outside the lab")
    }

    /// Locks the exhibit for a custody step and checks that the caller may act on it now: it is
    /// not disposed of, not in transit, and the caller is its custodian (an evidence officer acts
    /// for a location or an outside party; 403 for anyone else). With the database's clock once the lock is held.
    static func lockForCustody(_ id: UUID, by principal: Principal, on connection: PostgresConnection) async throws -> (Exhibit, Date) {
        var locked: (Exhibit, Date)?
        for try await row in try await connection.execute(ExhibitStore.Lock(id: id), logger: ExhibitStore.logger) where locked == nil {
            locked = row
        }
        guard let (exhibit, clock) = locked else {
            throw Problem.notFound("no exhibit \(id.uuidString.lowercased())")
        }
        switch exhibit.status {
        case .disposed:
            throw Problem.conflict("exhibit \(exhibit.reference) is disposed of (\(exhibit.disposition?.rawValue ?? "")): nothing more is done with it",
                                   slug: "exhibit-disposed")
        case .inTransit:
            throw Problem.conflict("exhibit \(exhibit.reference) is in transit: it is received or the transfer cancelled first", slug: "in-transit")
        case .held:
            break
        }
        if exhibit.custodianKind != .user && !principal.roles.contains(.evidenceOfficer) {
            throw notEvidenceOfficer("exhibit \(exhibit.reference) is held \(exhibit.custodianKind == .location ? "at" : "by") \(exhibit.custodian)")
        }
        if exhibit.custodianKind == .user && exhibit.custodian.lowercased() != principal.username.lowercased() {
            throw Problem.conflict("exhibit \(exhibit.reference) is in the custody of \(exhibit.custodian): only its custodian acts on it",
                                   slug: "not-custodian")
        }
        return (exhibit, clock)
    }

    /// Locks the exhibit and its transfer (in that order, in one statement) for a receipt or a
    /// cancellation, with the database's clock once both locks are held.
    static func lockTransfer(_ transferID: UUID, of exhibitID: UUID, on connection: PostgresConnection) async throws -> (Exhibit, Transfer, Date) {
        var locked: (Exhibit, Transfer, Date)?
        for try await row in try await connection.execute(CustodyStore.LockTransfer(exhibitID: exhibitID, transferID: transferID),
                                                          logger: CustodyStore.logger) where locked == nil {
            locked = row
        }
        guard let locked else {
            throw Problem.notFound("no transfer \(transferID.uuidString.lowercased()) of exhibit \(exhibitID.uuidString.lowercased())")
        }
        return locked
    }
}

extension Exhibit {
    /// The exhibit as a change at `clock` leaves it before the change's own fields: its next
    /// version, updated then.
    func changed(at clock: Date) -> Exhibit {
        var next = self
        next.version += 1
        next.updatedAt = clock
        return next
    }
}
