import Foundation
import ExhibitsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The disposition of an exhibit: the chain's last entry, and for a firearm exhibit the matching
/// registry event in the same transaction (split from Custody+Service.swift, no change of behaviour).
extension Exhibits {
    /// The agency a disposition's registry event names.
    static let laboratoryAgency = "forensic firearms laboratory"

    /// Disposes of an exhibit: the chain's last entry. A destruction names its certificate and two
    /// witnesses (active users other than the recorder); a firearm exhibit destroyed, returned to its
    /// owner or confiscated appends the matching registry event in the same transaction.
    public func dispose(exhibitID: UUID, _ disposition: NewDisposition, by principal: Principal, requestID: String?) async throws -> Exhibit {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        var problems = disposition.problems(recordedBy: principal.username)
        if problems.isEmpty {
            for (i, witness) in disposition.witnesses.enumerated() where !(try await users.isActiveUser(witness)) {
                problems.append(.init(field: "witnesses[\(i)]", detail: "\(witness) is not an active user"))
            }
        }
        if !problems.isEmpty { throw Problem.validation(problems) }
        return try await recordDisposition(exhibitID: exhibitID, disposition, by: principal, requestID: requestID)
    }

    /// `dispose` once its witnesses are known to be users (the demo sample's examiners are
    /// fictional people without accounts: it calls this directly; the table still refuses a
    /// destruction without two witnesses other than the recorder).
    func recordDisposition(exhibitID: UUID, _ disposition: NewDisposition, by principal: Principal, requestID: String?) async throws -> Exhibit {
        let now = environment.now()
        let today = self.today
        return try await database.transaction { connection in
            let (exhibit, clock) = try await Self.lockForCustody(exhibitID, by: principal, on: connection)
            var checks = FieldRules()
            checks.notFuture(disposition.date, "date", today: today)
            if disposition.date < exhibit.receivedOn { checks.add("date", "is before the exhibit was received (\(exhibit.receivedOn.text))") }
            try checks.throwIfAny()
            var detail = ["disposition": disposition.kind.rawValue, "authority": disposition.authority, "date": disposition.date.text]
            if let remarks = disposition.remarks { detail["remarks"] = remarks }
            if let certificate = disposition.certificateNumber { detail["certificate_number"] = certificate }
            if let standard = disposition.certificateStandard { detail["certificate_standard"] = standard }
            for (i, witness) in disposition.witnesses.enumerated() { detail["witness_\(i + 1)"] = witness }
            // A firearm exhibit's disposition is the registry's too: its event, on this transaction.
            if let firearmID = exhibit.firearmID, let kind = disposition.kind.registryEvent {
                guard let intake else {
                    throw Problem.conflict("this assembly cannot record the registry event of a firearm's disposition", slug: "registry-unavailable")
                }
                let witnessed = disposition.witnesses.isEmpty ? "" : "; witnessed by " + disposition.witnesses.joined(separator: " and ")
                let event = NewEvent(kind: kind, occurredOn: disposition.date, agency: Self.laboratoryAgency,
                                     documentRef: disposition.certificateNumber,
                                     notes: "exhibit \(exhibit.reference) disposed of by the laboratory (\(disposition.kind.rawValue))\(witnessed)",
                                     details: EventDetails(authority: disposition.authority, certificateNumber: disposition.certificateNumber,
                                                           certificateStandard: disposition.certificateStandard))
                do {
                    let (recorded, _) = try await intake.recordEvent(event, firearmID: firearmID, by: principal, requestID: requestID, on: connection)
                    detail["registry_event_id"] = recorded.id.uuidString.lowercased()
                    detail["registry_event"] = kind.rawValue
                } catch var problem as Problem {
                    problem.detail = "the registry refuses the firearm's \(kind.rawValue) event: \(problem.detail)"
                    throw problem
                }
            }
            var next = exhibit.changed(at: clock)
            next.status = .disposed
            next.disposition = disposition.kind
            next.dispositionAuthority = disposition.authority
            next.disposedOn = disposition.date
            let step = try CustodyStep.Values(
                kind: .dispose, exhibitID: exhibitID, updatedAt: clock,
                entry: .init(event: .disposed, transferID: nil, recordedBy: principal.username, custodianKind: exhibit.custodianKind,
                             custodian: exhibit.custodian, sealNumber: exhibit.sealNumber, sealIntact: nil, detail: detail, at: now),
                version: next, change: "disposed of: \(disposition.kind.rawValue) (\(disposition.authority))", by: principal,
                audit: AuditEntry(principal: principal, action: "exhibit.dispose", recordType: "exhibit", recordID: exhibitID.uuidString,
                                  requestID: requestID, detail: AuditEntry.detail(detail)))
            _ = try await CustodyStep.run(step, expected: next, requestID: requestID, on: connection)
            return next
        }
    }
}
