import ForensicsAPI
import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO

/// Taking exhibits in, correcting and reading them.
extension Exhibits {
    /// Takes an exhibit into the lab: the caller becomes its custodian (custody entry 1, the intake).
    /// The case and seizure are checked through the forensics module, the firearm through the registry.
    public func createExhibit(_ fields: ExhibitFields, by principal: Principal, requestID: String?) async throws -> Exhibit {
        var checks = FieldRules()
        for error in fields.problems(today: today) { checks.add(error.field, error.detail) }
        try checks.throwIfAny()
        guard let forensicCase = try await forensics.forensicCase(id: fields.caseID, by: principal, requestID: requestID) else {
            throw Problem.invalid("case_id", "no case has this id")
        }
        if forensicCase.status == .closed {
            throw Problem.conflict("case \(forensicCase.reference) is closed: no exhibit is taken in for it", slug: "case-closed")
        }
        if let seizureID = fields.seizureID {
            guard try await forensics.seizure(id: seizureID, by: principal, requestID: requestID) != nil else {
                throw Problem.invalid("seizure_id", "no seizure has this id")
            }
            guard forensicCase.seizureIDs.contains(seizureID) else {
                throw Problem.invalid("seizure_id", "is not a seizure of case \(forensicCase.reference)")
            }
        }
        if let firearmID = fields.firearmID {
            guard try await registry.firearm(id: firearmID, by: principal, requestID: requestID) != nil else {
                throw Problem.invalid("firearm_id", "no firearm has this id")
            }
        }
        let now = environment.now()
        return try await database.transaction { connection in
            if let parentID = fields.parentID, let derivation = fields.derivation {
                guard let parent = try await ExhibitStore.find(id: parentID, on: connection) else {
                    throw Problem.invalid("parent_id", "no exhibit has this id")
                }
                guard parent.caseID == fields.caseID else {
                    throw Problem.invalid("parent_id", "belongs to another case: a derived exhibit stays in its parent's case")
                }
                let errors = derivation.problems(child: fields.kind, parent: parent.kind)
                if !errors.isEmpty { throw Problem.validation(errors) }
            }
            if let taken = try await ExhibitStore.barcodeTaken(fields.barcode, on: connection) {
                throw Problem.conflict("barcode \(fields.barcode) is on exhibit \(taken) already", slug: "duplicate-barcode")
            }
            let id = UUID()
            let reference = try await Self.references.next(at: now, on: connection)
            try await ExhibitStore.insert(id: id, reference: reference, fields, custodian: principal.username, createdBy: principal.username,
                                          on: connection)
            try await CustodyStore.append(exhibitID: id, event: .intake, transferID: nil, recordedBy: principal.username,
                                          custodianKind: .user, custodian: principal.username, sealNumber: fields.sealNumber,
                                          sealIntact: nil,
                                          detail: ["case_reference": forensicCase.reference]
                                              .merging(fields.conditionOnReceipt.map { ["condition": $0] } ?? [:]) { a, _ in a },
                                          at: now, on: connection)
            guard let created = try await ExhibitStore.find(id: id, on: connection) else { throw Problem.internal(requestID: requestID) }
            try await ExhibitStore.history.append(created, id: id, version: created.version, change: "received into the lab",
                                                  by: principal, on: connection)
            var detail = ["reference": reference, "case_id": fields.caseID.uuidString.lowercased(), "barcode": fields.barcode]
            if let parentID = fields.parentID { detail["parent_id"] = parentID.uuidString.lowercased() }
            try await AuditLog.append(AuditEntry(principal: principal, action: "exhibit.create", recordType: "exhibit", recordID: id.uuidString,
                                                 requestID: requestID, detail: AuditEntry.detail(detail)), on: connection)
            return created
        }
    }

    /// Corrects an exhibit's description at `expectedVersion`: a new version; the old one stays in the history.
    public func changeExhibit(id: UUID, expectedVersion: Int, _ patch: Patch<ExhibitFields>, by principal: Principal,
                              requestID: String?) async throws -> Exhibit {
        try await requireVisibleExhibits([id], by: principal, requestID: requestID)
        let today = self.today
        return try await ExhibitStore.correction.apply(id: id, expectedVersion: expectedVersion, database: database, by: principal,
                                                       requestID: requestID, patch.applied(to:),
                                                       problems: { $0.problems(today: today) }) { current, _, _ in
            if current.status == .disposed {
                throw Problem.conflict("exhibit \(current.reference) is disposed of: its record is closed", slug: "exhibit-disposed")
            }
        }
    }

    /// The exhibit read: the record and whether its case may be seen, in one prepared statement.
    public func exhibit(id: UUID, by principal: Principal, requestID: String?) async throws -> Exhibit {
        let found = try await database.withConnection { connection -> (Exhibit, Bool)? in
            for try await found in try await connection.execute(ExhibitStore.FindSeen(id: id, principal: principal), logger: ExhibitStore.logger) {
                return found
            }
            return nil
        }
        guard let (exhibit, seen) = found, seen else {
            if found != nil { try await recordDenied(exhibit: id, by: principal, requestID: requestID) }
            throw Problem.notFound("no exhibit \(id.uuidString.lowercased())")
        }
        try await audit.record(AuditEntry(principal: principal, action: "exhibit.read", recordType: "exhibit", recordID: id.uuidString,
                                          requestID: requestID))
        return exhibit
    }

    func exhibits(_ filter: ExhibitStore.ListFilter, page: PageRequest, query: [String: String], by principal: Principal,
                  requestID: String?) async throws -> Page<Exhibit> {
        try await AuditedRead(recordType: "exhibit", database: database, audit: audit).page(query: query, by: principal, requestID: requestID, id: \.id) {
            try await ExhibitStore.list(filter, as: principal, page: page, on: $0)
        }
    }

    public func exhibitHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Exhibit>] {
        try await requireVisibleExhibits([id], by: principal, requestID: requestID)
        return try await ExhibitStore.history.read(id, as: Exhibit.self, recordType: "exhibit", database: database, audit: audit, by: principal,
                                            requestID: requestID)
    }

    /// The tree the exhibit belongs to: from its root ancestor down through every derived exhibit.
    public func exhibitTree(id: UUID, by principal: Principal, requestID: String?) async throws -> ExhibitNode {
        try await requireVisibleExhibits([id], by: principal, requestID: requestID)
        let family = try await database.withConnection { try await ExhibitStore.family(of: id, on: $0) }
        guard let root = family.first(where: { $0.parentID == nil }) else { throw Problem.notFound("no exhibit \(id.uuidString.lowercased())") }
        try await audit.recordReads(of: family.map(\.id), action: "exhibit.tree", recordType: "exhibit", by: principal, requestID: requestID,
                                    query: ["id": id.uuidString.lowercased()])
        let children = Dictionary(grouping: family.filter { $0.parentID != nil }, by: { $0.parentID! })
        func node(_ exhibit: Exhibit, depth: Int) -> ExhibitNode {
            ExhibitNode(exhibit: exhibit, derived: depth > 100 ? [] : (children[exhibit.id] ?? []).map { node($0, depth: depth + 1) })
        }
        return node(root, depth: 0)
    }

    /// A case's exhibits, read through the forensics module for the case itself, with the case's
    /// broken-seal flag: true when a receipt found the seal of any of them broken.
    public func caseExhibits(caseID: UUID, by principal: Principal, requestID: String?) async throws -> CaseExhibits {
        guard let forensicCase = try await forensics.forensicCase(id: caseID, by: principal, requestID: requestID) else {
            throw Problem.notFound("no case \(caseID.uuidString.lowercased())")
        }
        let exhibits = try await database.withConnection { try await ExhibitStore.ofCase(caseID, on: $0) }
        try await audit.recordReads(of: exhibits.map(\.id), action: "exhibit.list", recordType: "exhibit", by: principal, requestID: requestID,
                                    query: ["case_id": caseID.uuidString.lowercased()])
        return CaseExhibits(caseID: caseID, caseReference: forensicCase.reference, brokenSeal: exhibits.contains(where: \.sealBroken),
                            exhibits: exhibits)
    }
}
