import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import Registry

/// Opening, changing and reading forensic cases, and linking them.
extension Forensics {
    public func createCase(_ fields: CaseFields, by principal: Principal, requestID: String?) async throws -> ForensicCase {
        let errors = fields.problems(today: today)
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
    public func changeCase(id: UUID, expectedVersion: Int, _ changes: CaseChanges, by principal: Principal,
                           requestID: String?) async throws -> ForensicCase {
        let today = self.today
        return try await database.transaction { connection in
            guard let current = try await CaseStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no case \(id.uuidString.lowercased())")
            }
            try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "case \(current.reference)")
            let fields = changes.applied(to: current.fields)
            let errors = fields.problems(today: today)
            if !errors.isEmpty { throw Problem.validation(errors) }
            let status = changes.status ?? current.status
            if fields == current.fields && status == current.status { throw Problem.invalid("body", "names no change") }
            if current.status == .closed {
                throw Problem.conflict("case \(current.reference) is closed: nothing about it changes", slug: "case-closed")
            }
            if status != current.status {
                guard current.status.next.contains(status) else {
                    throw Problem.conflict("a case that is \(current.status.rawValue) cannot become \(status.rawValue)", slug: "case-status")
                }
                try await Self.checkReadyFor(status, caseID: id, on: connection)
                if status == .reported, try await ReportStore.versions(caseID: id, on: connection).isEmpty {
                    throw Problem.conflict("case \(current.reference) is reported by issuing its report (POST /v1/cases/{id}/reports), "
                                           + "after its technical and administrative reviews", slug: "report-not-issued")
                }
            }
            if fields.seizureIDs != current.seizureIDs { try await Self.checkSeizures(fields.seizureIDs, on: connection) }
            try await CaseStore.update(id: id, fields, status: status, on: connection)
            guard let updated = try await CaseStore.find(id: id, on: connection) else { throw Problem.internal(requestID: requestID) }
            let changed = Self.changedFields(current, updated)
            try await CaseStore.history.append(updated, id: id, version: updated.version, change: "changed: " + changed.joined(separator: ", "),
                                               by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "case.update", recordType: "case", recordID: id.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["version": "\(updated.version)", "changed": changed.joined(separator: ","),
                                                                            "status": updated.status.rawValue])),
                                      on: connection)
            return updated
        }
    }

    static func changedFields(_ a: ForensicCase, _ b: ForensicCase) -> [String] {
        [("submitting_agency", a.submittingAgency != b.submittingAgency), ("officer", a.officer != b.officer),
         ("agency_case_number", a.agencyCaseNumber != b.agencyCaseNumber), ("offence", a.offence != b.offence),
         ("incident_on", a.incidentOn != b.incidentOn), ("incident_country", a.incidentCountry != b.incidentCountry),
         ("incident_place", a.incidentPlace != b.incidentPlace), ("received_on", a.receivedOn != b.receivedOn),
         ("confidentiality", a.confidentiality != b.confidentiality), ("requested_examinations", a.requestedExaminations != b.requestedExaminations),
         ("seizure_ids", a.seizureIDs != b.seizureIDs), ("notes", a.notes != b.notes), ("status", a.status != b.status)].filter(\.1).map(\.0)
    }

    public func forensicCase(id: UUID, by principal: Principal, requestID: String?) async throws -> ForensicCase {
        guard let found = try await database.withConnection({ try await CaseStore.find(id: id, on: $0) }) else {
            throw Problem.notFound("no case \(id.uuidString.lowercased())")
        }
        try await audit.record(AuditEntry(principal: principal, action: "case.read", recordType: "case", recordID: id.uuidString,
                                          requestID: requestID))
        return found
    }

    func cases(_ filter: CaseStore.ListFilter, page: PageRequest, query: [String: String], by principal: Principal,
               requestID: String?) async throws -> Page<ForensicCase> {
        let result = try await database.withConnection { try await CaseStore.list(filter, page: page, on: $0) }
        try await audit.recordReads(of: result.items.map(\.id), action: "case.list", recordType: "case", by: principal,
                                    requestID: requestID, query: query)
        return result
    }

    public func caseHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<ForensicCase>] {
        try await CaseStore.history.read(id, as: ForensicCase.self, recordType: "case", database: database, audit: audit, by: principal,
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
            guard let linked = try await CaseStore.find(id: caseID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no case \(caseID.uuidString.lowercased())")
            }
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
                guard let other = try await CaseStore.find(id: targetID, on: connection) else {
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
            (try await CaseStore.find(id: caseID, on: connection) != nil, try await CaseStore.links(caseID: caseID, on: connection))
        }
        guard exists else { throw Problem.notFound("no case \(caseID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "case.links", recordType: "case", recordID: caseID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["links": "\(links.count)"])))
        return links
    }
}

