import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Serial number restoration: the recovered partial serial searched in the registry (with
/// confusable characters), the candidates kept with the examination, and a confirmed candidate
/// linked to the case and marked restored in the registry, in one transaction.
extension Forensics {
    /// - Parameter caseID: when the route names the case too, the examination must be one of its.
    public func searchRegistry(examinationID: UUID, caseID expectedCase: UUID? = nil, by principal: Principal,
                               requestID: String?) async throws -> Examination {
        let current = try await database.withConnection { connection -> Examination? in
            let caseID = try await ExaminationStore.caseID(of: examinationID, on: connection)
            guard try await self.visibleCase(caseID, by: principal, requestID: requestID, on: connection) != nil else { return nil }
            return try await ExaminationStore.find(id: examinationID, caseID: caseID, on: connection)
        }
        guard let current, expectedCase == nil || expectedCase == current.caseID else {
            throw Problem.notFound("no examination \(examinationID.uuidString.lowercased())" + (expectedCase.map { " in case \($0.uuidString.lowercased())" } ?? ""))
        }
        let caseID = current.caseID
        guard current.kind == .serialNumberRestoration else {
            throw Problem.conflict("only a serial number restoration searches the registry; this examination is \(current.kind.rawValue)",
                                   slug: "not-a-restoration")
        }
        guard let serial = current.recoveredSerial else {
            throw Problem.conflict("record the recovered serial (recovered_serial) before searching the registry", slug: "no-recovered-serial")
        }
        let found: [Firearm]
        do {
            found = try await registry.search(pattern: serial, confusables: true, limit: 50, by: principal, requestID: requestID)
        } catch let problem as Problem where problem.status == 422 {
            throw Problem.conflict("the recovered serial \(serial) cannot be searched: \(problem.detail)", slug: "unsearchable-serial")
        }
        let candidates = found.map {
            SerialCandidate(firearmID: $0.id, reference: $0.reference, make: $0.make, model: $0.model, type: $0.type, calibre: $0.calibre,
                            serial: $0.serial, status: $0.status)
        }
        return try await database.transaction { connection in
            let owner = try await openCase(caseID, by: principal, requestID: requestID, on: connection)
            guard let locked = try await ExaminationStore.find(id: examinationID, caseID: caseID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no examination \(examinationID.uuidString.lowercased())")
            }
            if locked.recoveredSerial != serial {
                throw Problem.conflict("the recovered serial changed during the search; search again", slug: "changed")
            }
            if locked.confirmedFirearmID != nil {
                throw Problem.conflict("a candidate was confirmed already; its search stands", slug: "confirmed")
            }
            try await ExaminationStore.storeCandidates(id: examinationID, candidates, on: connection)
            guard let updated = try await ExaminationStore.find(id: examinationID, caseID: caseID, on: connection) else {
                throw Problem.internal(requestID: requestID)
            }
            try await Self.keep(updated, change: "registry searched: \(candidates.count) candidate(s)", action: "examination.registry_search",
                                case: owner, detail: ["pattern": serial, "candidates": "\(candidates.count)"], by: principal,
                                requestID: requestID, on: connection)
            return updated
        }
    }

    /// Confirms one candidate: the firearm is linked to the case and its marking is recorded as
    /// restored (method and case) through the registry's intake, all in one transaction.
    public func confirmCandidate(examinationID: UUID, firearmID: UUID, by principal: Principal,
                                 requestID: String?) async throws -> Examination {
        try await database.transaction { connection in
            let caseID = try await ExaminationStore.caseID(of: examinationID, on: connection)
            let owner = try await openCase(caseID, by: principal, requestID: requestID, on: connection)
            guard let current = try await ExaminationStore.find(id: examinationID, caseID: caseID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no examination \(examinationID.uuidString.lowercased()) in case \(owner.reference)")
            }
            guard let candidates = current.candidates else {
                throw Problem.conflict("search the registry with the recovered serial first", slug: "not-searched")
            }
            if let confirmed = current.confirmedFirearmID {
                throw Problem.conflict("firearm \(confirmed.uuidString.lowercased()) was confirmed already", slug: "confirmed")
            }
            guard let candidate = candidates.first(where: { $0.firearmID == firearmID }) else {
                throw Problem.invalid("firearm_id", "is not one of the candidates the registry search found")
            }
            let method = current.method ?? "serial number restoration"
            _ = try await Self.naming("registry") {
                try await intake.markRestored(firearmID: firearmID, method: method, caseReference: owner.reference, by: principal,
                                              requestID: requestID, on: connection)
            }
            let reason = "serial restored (\(current.recoveredSerial ?? "?")) and confirmed against \(candidate.serial ?? candidate.reference)"
            let link = try await CaseStore.insertLink(caseID: caseID, kind: .firearm, targetID: firearmID, targetReference: candidate.reference,
                                                      reason: String(reason.prefix(1000)), createdBy: principal.username, on: connection)
            try await ExaminationStore.confirm(id: examinationID, firearmID: firearmID, on: connection)
            guard let updated = try await ExaminationStore.find(id: examinationID, caseID: caseID, on: connection) else {
                throw Problem.internal(requestID: requestID)
            }
            try await Self.keep(updated, change: "candidate confirmed: \(candidate.reference)", action: "examination.confirm", case: owner,
                                detail: ["firearm_id": firearmID.uuidString.lowercased(), "firearm_reference": candidate.reference,
                                         "linked": link == nil ? "already" : "yes"],
                                by: principal, requestID: requestID, on: connection)
            return updated
        }
    }
}
