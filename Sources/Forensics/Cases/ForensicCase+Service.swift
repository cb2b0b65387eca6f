import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Opening, changing and reading forensic cases, and linking them.
extension Forensics {
    public func createCase(_ fields: CaseFields, by principal: Principal, requestID: String?) async throws -> ForensicCase {
        var errors = fields.problems(today: today)
        if let level = Clearance(rawValue: fields.confidentiality.rawValue), level > principal.clearance {
            errors.append(.init(field: "confidentiality", detail: "is above your clearance (\(principal.clearance.rawValue))"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let now = environment.now()
        return try await database.transaction { connection in
            try await Self.checkSeizures(fields.seizureIDs, on: connection)
            // Three statements: the insert (with its reference) answering the row, then its first
            // version and the audit entry in one.
            let id = UUID()
            var opened: ForensicCase?
            for try await row in try await connection.execute(
                CaseStore.Insert(id: id, series: Self.caseReferences, now: now, fields: fields, createdBy: principal.username),
                logger: CaseStore.logger) where opened == nil {
                opened = row
            }
            guard let opened else { throw Problem.internal(requestID: requestID) }
            // Its creator is the first member of its team.
            if let userID = principal.userID {
                _ = try await CaseMemberStore.add(id, userID: userID, username: principal.username, reason: "created the case",
                                                  by: principal.username, on: connection)
            }
            try await CaseStore.history.append(opened, id: id, version: opened.version, change: "received", by: principal,
                                               audit: AuditEntry(principal: principal, action: "case.create", recordType: "case",
                                                                 recordID: id.uuidString, requestID: requestID,
                                                                 detail: AuditEntry.detail(["reference": opened.reference])),
                                               on: connection)
            return opened
        }
    }

    static func checkSeizures(_ ids: [UUID], on connection: PostgresConnection) async throws {
        let missing = try await CaseStore.missingSeizures(ids, on: connection)
        let errors = ids.enumerated().filter { missing.contains($0.element) }
            .map { Problem.FieldError(field: "seizure_ids[\($0.offset)]", detail: "no seizure has this id") }
        if !errors.isEmpty { throw Problem.validation(errors) }
    }

    /// Applies `changes` to the case at `expectedVersion`: corrected fields and/or a new status.
    /// Corrects a case or moves its status on, at `expectedVersion`: a new version; the old one stays in the history.
    public func changeCase(id: UUID, expectedVersion: Int, _ change: @escaping @Sendable (CaseRevision) -> CaseRevision, by principal: Principal,
                           requestID: String?) async throws -> ForensicCase {
        let today = self.today
        return try await database.transaction { connection in
            _ = try await requireVisibleCase(id, by: principal, requestID: requestID, forUpdate: true, on: connection)
            return try await CaseStore.correction.apply(id: id, expectedVersion: expectedVersion, on: connection, by: principal,
                                                        requestID: requestID, note: "changed", change,
                                                        problems: { $0.fields.problems(today: today) },
                                                        refuse: { current, revision, connection in
                try await Self.refuseChange(of: current, to: revision, on: connection)
                try await Self.refuseClassification(of: current, to: revision, by: principal, on: connection)
            }, detail: { updated, _ in ["status": updated.status.rawValue] })
        }
    }

    /// Who raises a case to `confidential` or `secret` is a member of its team cleared to that
    /// level: the case is then seen by its team only, and never by nobody.
    static func refuseClassification(of current: ForensicCase, to revision: CaseRevision, by principal: Principal,
                                     on connection: PostgresConnection) async throws {
        let level = revision.fields.confidentiality
        guard level != current.confidentiality, let wanted = Clearance(rawValue: level.rawValue) else { return }
        if principal.clearance < wanted {
            throw Problem.invalid("confidentiality", "is above your clearance (\(principal.clearance.rawValue))")
        }
        if wanted.needsMembership, try await !CaseMemberStore.isCurrentMember(current.id, userID: principal.userID, on: connection) {
            throw Problem.conflict("a \(level.rawValue) case is seen by its team only: join case \(current.reference)'s team first",
                                   slug: "not-a-member")
        }
    }

    /// A closed case changes no more; a status moves only as `CaseStatus.next` allows and when
    /// the case is ready for it; linked seizures must exist.
    static func refuseChange(of current: ForensicCase, to revision: CaseRevision, on connection: PostgresConnection) async throws {
        if current.status == .closed {
            throw Problem.conflict("case \(current.reference) is closed: nothing about it changes", slug: "case-closed")
        }
        let status = revision.status
        if status != current.status {
            guard current.status.next.contains(status) else {
                throw Problem.conflict("a case that is \(current.status.rawValue) cannot become \(status.rawValue)", slug: "case-status")
            }
            try await checkReadyFor(status, caseID: current.id, on: connection)
            if status == .reported, try await ReportStore.versions(caseID: current.id, on: connection).isEmpty {
                throw Problem.conflict("case \(current.reference) is reported by issuing its report (POST /v1/cases/{id}/reports), "
                                       + "after its technical and administrative reviews", slug: "report-not-issued")
            }
        }
        if revision.fields.seizureIDs != current.seizureIDs { try await checkSeizures(revision.fields.seizureIDs, on: connection) }
    }

    public func forensicCase(id: UUID, by principal: Principal, requestID: String?) async throws -> ForensicCase {
        try await AuditedRead(recordType: "case", database: database, audit: audit).one(id, by: principal, requestID: requestID) {
            try await self.visibleCase(id, by: principal, requestID: requestID, on: $0)
        }
    }

    func cases(_ filter: CaseStore.ListFilter, page: PageRequest, query: [String: String], by principal: Principal,
               requestID: String?) async throws -> Page<ForensicCase> {
        try await AuditedRead(recordType: "case", database: database, audit: audit).page(query: query, by: principal, requestID: requestID, id: \.id) {
            try await CaseStore.list(filter, as: CaseViewer(principal), page: page, on: $0)
        }
    }

    public func caseHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<ForensicCase>] {
        _ = try await database.withConnection { try await self.requireVisibleCase(id, by: principal, requestID: requestID, on: $0) }
        return try await CaseStore.history.read(id, as: ForensicCase.self, recordType: "case", database: database, audit: audit, by: principal,
                                         requestID: requestID)
    }

    /// Links the case to a registry firearm (read through the registry's API), a seizure or
    /// another case, with the reason. The same target linked twice is 409.
    public func link(caseID: UUID, kind: CaseLinkKind, targetID: UUID, reason: String, by principal: Principal,
                     requestID: String?) async throws -> CaseLink {
        var found: String?
        if kind == .firearm {
            guard let firearm = try await registry.firearm(id: targetID, by: principal, requestID: requestID) else {
                throw Problem.invalid("target_id", "no firearm has this id")
            }
            found = firearm.reference
        }
        let firearmReference = found
        if kind == .case && targetID == caseID { throw Problem.invalid("target_id", "is the case itself") }
        return try await database.transaction { connection in
            let linked = try await requireVisibleCase(caseID, by: principal, requestID: requestID, forUpdate: true, on: connection)
            let reference: String
            switch kind {
            case .firearm:
                reference = firearmReference ?? ""
            case .seizure:
                guard let seizure = try await SeizureStore.find(id: targetID, on: connection) else {
                    throw Problem.invalid("target_id", "no seizure has this id")
                }
                reference = seizure.reference
            case .case:
                guard let other = try await visibleCase(targetID, by: principal, requestID: requestID, on: connection) else {
                    throw Problem.invalid("target_id", "no case has this id")
                }
                reference = other.reference
            }
            guard let link = try await CaseStore.insertLink(caseID: caseID, kind: kind, targetID: targetID, targetReference: reference,
                                                            reason: reason, createdBy: principal.username, on: connection) else {
                throw Problem.conflict("case \(linked.reference) is linked to \(reference) already", slug: "duplicate-link")
            }
            try await AuditLog.append(AuditEntry(principal: principal, action: "case.link", recordType: "case", recordID: caseID.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["kind": kind.rawValue, "target_id": targetID.uuidString.lowercased(),
                                                                            "target_reference": reference])),
                                      on: connection)
            return link
        }
    }

    public func links(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [CaseLink] {
        let (exists, links) = try await database.withConnection { connection in
            (try await visibleCase(caseID, by: principal, requestID: requestID, on: connection) != nil,
             try await CaseStore.links(caseID: caseID, as: CaseViewer(principal), on: connection))
        }
        guard exists else { throw Problem.notFound("no case \(caseID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "case.links", recordType: "case", recordID: caseID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["links": "\(links.count)"])))
        return links
    }
}

