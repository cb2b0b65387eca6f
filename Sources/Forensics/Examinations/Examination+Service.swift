import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Recording, correcting and verifying examinations.
extension Forensics {
    public func createExamination(caseID: UUID, _ fields: ExaminationFields, by principal: Principal,
                                  requestID: String?) async throws -> Examination {
        let errors = fields.problems(today: today)
        if !errors.isEmpty { throw Problem.validation(errors) }
        return try await database.transaction { connection in
            let owner = try await openCase(caseID, by: principal, requestID: requestID, on: connection)
            // The examiner is authorised for this kind on the days of the work (today when none is given).
            let worked = [fields.startedOn, fields.completedOn].compactMap { $0 }
            for day in worked.isEmpty ? [nil] : worked.map(Optional.some) {
                try await Self.requireAuthorised(principal.username, for: fields.kind, on: day, doing: "this examination", on: connection)
            }
            let id = UUID()
            try await ExaminationStore.insert(id: id, caseID: caseID, fields, examiner: principal.username, on: connection)
            guard let recorded = try await ExaminationStore.find(id: id, caseID: caseID, on: connection) else {
                throw Problem.internal(requestID: requestID)
            }
            try await ExaminationStore.history.append(recorded, id: id, version: recorded.version, change: "recorded", by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "examination.create", recordType: "examination",
                                                 recordID: id.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["case": owner.reference, "kind": fields.kind.rawValue])),
                                      on: connection)
            if recorded.startedOn != nil || recorded.completedOn != nil {
                try await Self.advance(owner, to: .underExamination, from: [.received],
                                       because: "\(fields.kind.rawValue) examination started", by: principal, requestID: requestID, on: connection)
            }
            return recorded
        }
    }

    /// The case, locked, unless it is closed (409), missing or hidden from `principal` (404).
    func openCase(_ caseID: UUID, by principal: Principal, requestID: String?, on connection: PostgresConnection) async throws -> ForensicCase {
        let owner = try await requireVisibleCase(caseID, by: principal, requestID: requestID, forUpdate: true, on: connection)
        if owner.status == .closed {
            throw Problem.conflict("case \(owner.reference) is closed: nothing about it changes", slug: "case-closed")
        }
        return owner
    }

    /// Records progress on or corrects an examination at `expectedVersion`: a new version; the
    /// old one stays in the history. Only its examiner changes it; a changed conclusion or result
    /// voids a verification given before (the table does it: the examination is verified again);
    /// a searched serial stands.
    public func changeExamination(id: UUID, expectedVersion: Int, _ change: @escaping @Sendable (ExaminationFields) -> ExaminationFields,
                                  by principal: Principal, requestID: String?) async throws -> Examination {
        let today = self.today
        return try await database.transaction { connection in
            let owner = try await openCase(try await ExaminationStore.caseID(of: id, on: connection), by: principal, requestID: requestID,
                                           on: connection)
            try await Self.act(as: principal, on: connection)
            let verifiedBefore = try await ExaminationStore.find(id: id, caseID: owner.id, on: connection)?.verifiedBy
            do {
                let changed = try await ExaminationStore.correction.apply(id: id, expectedVersion: expectedVersion, on: connection, by: principal,
                                                               requestID: requestID, note: "changed", change,
                                                               problems: { $0.problems(today: today) },
                                                               refuse: { current, fields, _ in
                    if current.examiner != principal.username { throw Self.notTheExaminer(current.examiner) }
                    if current.candidates != nil && fields.recoveredSerial != current.recoveredSerial {
                        throw Problem.conflict("the registry was searched with this recovered serial: it stands; record a new examination",
                                               slug: "searched")
                    }
                }, detail: { updated, _ in
                    var detail = ["case": owner.reference]
                    if let verifiedBefore, updated.verifiedBy == nil { detail["verification_voided"] = verifiedBefore }
                    return detail
                })
                if changed.startedOn != nil || changed.completedOn != nil {
                    try await Self.advance(owner, to: .underExamination, from: [.received],
                                           because: "\(changed.kind.rawValue) examination started", by: principal, requestID: requestID,
                                           on: connection)
                }
                return changed
            } catch let error as PSQLError where error.serverInfo?[.constraintName] == "examination_changed_by_its_examiner" {
                throw Self.notTheExaminer(nil)
            } catch let error as PSQLError where Self.authorisationConstraints.contains(error.serverInfo?[.constraintName] ?? "") {
                throw Self.notAuthorised(error.serverInfo?[.message] ?? "the examiner is not authorised for this examination on the days of the work")
            }
        }
    }

    /// Names the user who writes, for the table's four-eyes rules (`examinations_four_eyes`),
    /// for the rest of the transaction.
    static func act(as principal: Principal, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT set_config('ifcd.actor', \(principal.username), true)", logger: ExaminationStore.logger)
    }

    static func notTheExaminer(_ examiner: String?) -> Problem {
        Problem(slug: "not-the-examiner", title: "Forbidden", status: 403,
                detail: "only the examination's examiner\(examiner.map { " (\($0))" } ?? "") changes it; record your own examination")
    }

    /// A second examiner verifies a completed identification: neither its examiner nor anyone
    /// who set or changed its conclusion or result. Swift says so first, and the table refuses
    /// each case whatever the code does; the verification records the version it verified.
    public func verifyExamination(id: UUID, note: String?, by principal: Principal,
                                  requestID: String?) async throws -> Examination {
        try await database.transaction { connection in
            let caseID = try await ExaminationStore.caseID(of: id, on: connection)
            let owner = try await openCase(caseID, by: principal, requestID: requestID, on: connection)
            try await Self.act(as: principal, on: connection)
            guard let current = try await ExaminationStore.find(id: id, caseID: caseID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no examination \(id.uuidString.lowercased()) in case \(owner.reference)")
            }
            guard current.afteConclusion == .identification else {
                throw Problem.conflict("only an identification is verified; this examination concludes "
                                       + (current.afteConclusion?.rawValue ?? "nothing yet"), slug: "not-an-identification")
            }
            if let verifier = current.verifiedBy {
                throw Problem.conflict("the identification was verified by \(verifier) already", slug: "verified")
            }
            guard current.completedOn != nil else { throw Self.notCompleted }
            let changers = try await ExaminationStore.conclusionBy(id: id, on: connection)
            if current.examiner == principal.username || changers.contains(principal.username) {
                throw Self.sameExaminer(current.examiner)
            }
            try await Self.requireAuthorised(principal.username, for: current.kind, on: nil, doing: "a verification", on: connection)
            do {
                try await ExaminationStore.verify(id: id, by: principal.username, note: note, on: connection)
            } catch let error as PSQLError {
                switch error.serverInfo?[.constraintName] {
                case "examination_verifier_is_second_examiner", "examination_verifier_not_a_changer": throw Self.sameExaminer(current.examiner)
                case "examination_verified_when_completed": throw Self.notCompleted
                case "verifier_authorised_for_kind": throw Self.notAuthorised(error.serverInfo?[.message] ?? "the verifier is not authorised")
                default: throw error
                }
            }
            guard let verified = try await ExaminationStore.find(id: id, caseID: caseID, on: connection) else {
                throw Problem.internal(requestID: requestID)
            }
            try await Self.keep(verified, change: "identification verified (version \(current.version))", action: "examination.verify",
                                case: owner, detail: ["examiner": current.examiner, "verified_version": "\(current.version)"],
                                by: principal, requestID: requestID, on: connection)
            return verified
        }
    }

    static let notCompleted = Problem.conflict("an examination is verified once it is completed (completed_on)", slug: "examination-not-completed")

    static func sameExaminer(_ examiner: String) -> Problem {
        Problem.conflict("\(examiner) made this identification, or set or changed its conclusion or result; a second examiner must verify it",
                         slug: "second-examiner-required")
    }

    /// The version row and the audit entry of a change, in its transaction.
    static func keep(_ examination: Examination, change: String, action: String, case owner: ForensicCase, detail: [String: String] = [:],
                     by principal: Principal, requestID: String?, on connection: PostgresConnection) async throws {
        try await ExaminationStore.history.append(examination, id: examination.id, version: examination.version, change: change, by: principal,
                                                  on: connection)
        var detail = detail
        detail["case"] = owner.reference
        detail["version"] = "\(examination.version)"
        try await AuditLog.append(AuditEntry(principal: principal, action: action, recordType: "examination",
                                             recordID: examination.id.uuidString, requestID: requestID, detail: AuditEntry.detail(detail)),
                                  on: connection)
    }

    public func examinations(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [Examination] {
        let (exists, all) = try await database.withConnection { connection in
            (try await visibleCase(caseID, by: principal, requestID: requestID, on: connection) != nil,
             try await ExaminationStore.list(caseID: caseID, on: connection))
        }
        guard exists else { throw Problem.notFound("no case \(caseID.uuidString.lowercased())") }
        try await audit.recordReads(of: all.map(\.id), action: "examination.list", recordType: "examination", by: principal,
                                    requestID: requestID, query: ["case_id": caseID.uuidString.lowercased()])
        return all
    }

    /// A case is reported only with every examination completed, and reported or closed only
    /// with every identification verified by a second examiner.
    static func checkReadyFor(_ status: CaseStatus, caseID: UUID, on connection: PostgresConnection) async throws {
        guard status == .reported || status == .closed else { return }
        let (unverified, open) = try await ExaminationStore.blockers(caseID: caseID, on: connection)
        if unverified > 0 {
            throw Problem.conflict("\(unverified) identification(s) of this case await verification by a second examiner",
                                   slug: "verification-pending")
        }
        if status == .reported && open > 0 {
            throw Problem.conflict("\(open) examination(s) of this case are not completed", slug: "examinations-open")
        }
    }
}
