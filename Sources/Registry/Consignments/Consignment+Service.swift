import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Recording a consignment: the consignment and a transfer event for each firearm in it, with
/// their versions and audit entries, in one transaction; then its delivery verification.
extension Registry {
    public func recordConsignment(_ new: NewConsignment, by principal: Principal, requestID: String?) async throws -> Consignment {
        let errors = new.problems(today: today)
        if !errors.isEmpty { throw Problem.validation(errors) }
        let now = environment.now()
        return try await database.transaction { connection in
            let consignment = try await ConsignmentStore.insert(new, crossBorder: new.crossBorder, now: now, on: connection)
            for (index, firearmID) in new.firearmIDs.enumerated() {
                let event = NewEvent(kind: .transferred, occurredOn: new.shippedOn, transferKind: new.direction,
                                     counterpartCountry: new.counterpartCountry,
                                     notes: "consignment \(consignment.reference)", crossBorder: new.crossBorder)
                do {
                    _ = try await record(event, firearmID: firearmID, expectedVersion: nil, consignmentID: consignment.id, now: now,
                                         by: principal, requestID: requestID, on: connection)
                } catch var problem as Problem where problem.status == 404 || problem.status == 409 || problem.status == 422 {
                    // Name the firearm of the consignment the refusal is about.
                    problem.detail = "firearm_ids[\(index)]: \(problem.detail)"
                    if problem.status == 404 {
                        problem = Problem.invalid("firearm_ids[\(index)]", "no firearm has this id")
                    } else if problem.errors == nil {
                        problem.errors = [.init(field: "firearm_ids[\(index)]", detail: problem.detail)]
                    }
                    throw problem
                }
            }
            try await ConsignmentStore.history.append(consignment, id: consignment.id, version: consignment.version, change: "recorded",
                                                      by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "consignment.create", recordType: "consignment",
                                                 recordID: consignment.id.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["reference": consignment.reference, "direction": new.direction.rawValue,
                                                                            "firearms": "\(new.firearmIDs.count)"])), on: connection)
            return consignment
        }
    }

    /// The importing state confirmed receipt (Firearms Protocol Art 10(4)): recorded once.
    public func verifyDelivery(consignmentID id: UUID, expectedVersion: Int, _ verification: DeliveryVerification,
                               by principal: Principal, requestID: String?) async throws -> Consignment {
        let today = self.today
        return try await database.transaction { connection in
            guard let current = try await ConsignmentStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no consignment \(id.uuidString.lowercased())")
            }
            try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "consignment \(current.reference)")
            if let verified = current.deliveryVerifiedOn {
                throw Problem.conflict("the delivery was verified already, on \(verified)", slug: "delivery-verified")
            }
            let errors = verification.problems(for: current, today: today)
            if !errors.isEmpty { throw Problem.validation(errors) }
            let updated = try await ConsignmentStore.verifyDelivery(id: id, verification, on: connection)
            try await ConsignmentStore.history.append(updated, id: id, version: updated.version, change: "delivery verified",
                                                      by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "consignment.delivery", recordType: "consignment",
                                                 recordID: id.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["verified_on": verification.verifiedOn.text])), on: connection)
            return updated
        }
    }

    public func consignment(id: UUID, by principal: Principal, requestID: String?) async throws -> Consignment {
        try await AuditedRead(recordType: "consignment", database: database, audit: audit).one(id, by: principal, requestID: requestID) {
            try await ConsignmentStore.find(id: id, on: $0)
        }
    }

    public func consignmentHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Consignment>] {
        try await ConsignmentStore.history.read(id, as: Consignment.self, recordType: "consignment", database: database, audit: audit,
                                                by: principal, requestID: requestID)
    }
}
