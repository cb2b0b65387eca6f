import ForensicsAPI
import Foundation
import ExhibitsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// Imaging acquisitions, leads and their decisions, and the clusters the hits make.
extension Exhibits {
    public func acquire(exhibitID: UUID, _ acquisition: NewAcquisition, by principal: Principal, requestID: String?) async throws -> Acquisition {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        let today = self.today
        return try await database.transaction { connection in
            guard let exhibit = try await ExhibitStore.find(id: exhibitID, on: connection) else {
                throw Problem.notFound("no exhibit \(exhibitID.uuidString.lowercased())")
            }
            var checks = FieldRules()
            if !exhibit.kind.isBallistic { checks.add("exhibit", "is a \(exhibit.kind.rawValue): imaging takes cartridge cases and bullets") }
            checks.notFuture(acquisition.acquiredOn, "acquired_on", today: today)
            if acquisition.acquiredOn < exhibit.receivedOn { checks.add("acquired_on", "is before the exhibit was received (\(exhibit.receivedOn.text))") }
            try checks.throwIfAny()
            if try await LeadStore.acquisitionReferenceTaken(system: acquisition.system, reference: acquisition.systemReference, on: connection) {
                throw Problem.conflict("\(acquisition.system.rawValue) reference \(acquisition.systemReference) is recorded already",
                                       slug: "duplicate-acquisition")
            }
            let id = UUID()
            try await LeadStore.insertAcquisition(id: id, exhibitID: exhibitID, acquisition, by: principal.username, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "exhibit.acquisition", recordType: "exhibit",
                                                 recordID: exhibitID.uuidString, requestID: requestID,
                                                 detail: AuditEntry.detail(["system": acquisition.system.rawValue, "network": acquisition.network.rawValue,
                                                                            "system_reference": acquisition.systemReference])),
                                      on: connection)
            guard let made = try await LeadStore.acquisitions(exhibitID: exhibitID, on: connection).first(where: { $0.id == id }) else {
                throw Problem.internal(requestID: requestID)
            }
            return made
        }
    }

    public func acquisitions(exhibitID: UUID, by principal: Principal, requestID: String?) async throws -> [Acquisition] {
        try await requireVisibleExhibits([exhibitID], by: principal, requestID: requestID)
        let found = try await database.withConnection { connection -> [Acquisition]? in
            guard try await ExhibitStore.find(id: exhibitID, on: connection) != nil else { return nil }
            return try await LeadStore.acquisitions(exhibitID: exhibitID, on: connection)
        }
        guard let found else { throw Problem.notFound("no exhibit \(exhibitID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "exhibit.acquisitions", recordType: "exhibit", recordID: exhibitID.uuidString,
                                          requestID: requestID))
        return found
    }

    /// Records a lead between two exhibits of one class (cartridge cases, or bullets and
    /// fragments) from different cases; a pair is recorded once.
    public func createLead(_ lead: NewLead, by principal: Principal, requestID: String?) async throws -> Lead {
        // An exhibit whose case the caller may not see is named as no exhibit at all.
        let hidden = try await hiddenExhibits([lead.exhibitA, lead.exhibitB], by: principal)
        if !hidden.isEmpty {
            for id in hidden { try await recordDenied(exhibit: id, by: principal, requestID: requestID) }
            throw Problem.validation([(lead.exhibitA, "exhibit_a"), (lead.exhibitB, "exhibit_b")].filter { hidden.contains($0.0) }
                .map { .init(field: $0.1, detail: "no exhibit has this id") })
        }
        let now = environment.now()
        return try await database.transaction { connection in
            guard let a = try await ExhibitStore.find(id: lead.exhibitA, on: connection) else { throw Problem.invalid("exhibit_a", "no exhibit has this id") }
            guard let b = try await ExhibitStore.find(id: lead.exhibitB, on: connection) else { throw Problem.invalid("exhibit_b", "no exhibit has this id") }
            let errors = LeadRules.problems(a: (a.id, a.kind, a.caseID), b: (b.id, b.kind, b.caseID))
            if !errors.isEmpty { throw Problem.validation(errors) }
            let (first, second) = a.id.uuidString.lowercased() < b.id.uuidString.lowercased() ? (a.id, b.id) : (b.id, a.id)
            if try await LeadStore.pairTaken(first, second, on: connection) {
                throw Problem.conflict("a lead between \(a.reference) and \(b.reference) is recorded already", slug: "duplicate-lead")
            }
            let id = UUID()
            try await LeadStore.insertLead(id: id, NewLead(exhibitA: first, exhibitB: second, sourceSystem: lead.sourceSystem,
                                                           sourceReference: lead.sourceReference, score: lead.score),
                                           by: principal.username, at: now, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "lead.create", recordType: "lead", recordID: id.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["exhibit_a": a.reference, "exhibit_b": b.reference,
                                                                            "source": "\(lead.sourceSystem.rawValue) \(lead.sourceReference)"])),
                                      on: connection)
            guard let made = try await LeadStore.findLead(id: id, now: now, on: connection) else { throw Problem.internal(requestID: requestID) }
            return made
        }
    }

    /// The examiner's decision. An identification is a hit and needs a comparison examination
    /// concluding identification, verified by a second examiner (read through the forensics
    /// module); an elimination between exhibits of cases one cluster joins is flagged for review.
    /// The examiner's decision on a lead, or a correction of it: a decided lead takes a new decision
    /// only naming the current one it replaces (`replaces`) with the reason; every decision is kept
    /// (`GET /v1/leads/{id}/decisions`) and clusters follow the current one.
    public func decide(leadID: UUID, _ decision: LeadDecision, examinationID: UUID?, note: String?, replaces: UUID? = nil, reason: String? = nil,
                       by principal: Principal, requestID: String?) async throws -> Lead {
        if replaces != nil, reason == nil { throw Problem.invalid("reason", "is required with replaces: why the decision is corrected") }
        if replaces == nil, reason != nil { throw Problem.invalid("reason", "is given only with replaces (a correction)") }
        try await requireVisibleLead(leadID, by: principal, requestID: requestID)
        var found: Examination?
        if decision == .identification {
            guard let examinationID else {
                throw Problem.invalid("examination_id", "is required for an identification: the verified comparison examination")
            }
            guard let read = try await forensics.examination(id: examinationID, by: principal, requestID: requestID) else {
                throw Problem.invalid("examination_id", "no examination has this id")
            }
            found = read
        } else if examinationID != nil {
            throw Problem.invalid("examination_id", "is recorded only with an identification")
        }
        let examination = found
        let now = environment.now()
        return try await database.transaction { connection in
            guard let lead = try await LeadStore.findLead(id: leadID, now: now, forUpdate: true, on: connection) else {
                throw Problem.notFound("no lead \(leadID.uuidString.lowercased())")
            }
            if lead.withdrawnAt != nil {
                throw Problem.conflict("the lead is a withdrawn hit: it is not decided again", slug: "lead-withdrawn")
            }
            switch (lead.decisionID, replaces) {
            case (nil, nil), (nil, .some):
                if replaces != nil { throw Problem.invalid("replaces", "the lead has no decision yet: nothing to replace") }
            case (.some(let current), nil):
                throw Problem.conflict("the lead is decided already (\(lead.status.rawValue), decision \(current.uuidString.lowercased())): "
                                       + "correct it with a new decision naming it in replaces, with the reason", slug: "lead-decided")
            case (.some(let current), .some(let named)):
                guard current == named else {
                    throw Problem.conflict("decision \(named.uuidString.lowercased()) is not the lead's current one "
                                           + "(\(current.uuidString.lowercased())): read the lead again", slug: "decision-stale")
                }
            }
            let cases = [try await ExhibitStore.find(id: lead.exhibitA, on: connection)?.caseID,
                         try await ExhibitStore.find(id: lead.exhibitB, on: connection)?.caseID].compactMap { $0 }
            if let examination {
                guard examination.kind == .comparison, examination.afteConclusion == .identification else {
                    throw Problem.invalid("examination_id", "is not a comparison concluding identification")
                }
                guard cases.contains(examination.caseID) else {
                    throw Problem.invalid("examination_id", "is an examination of another case than the lead's exhibits")
                }
                guard examination.verifiedBy != nil else {
                    throw Problem.conflict("the comparison examination is not verified by a second examiner: no hit without it",
                                           slug: "unverified-comparison")
                }
            }
            var flagged = false
            if decision == .elimination, cases.count == 2 {
                flagged = try await LeadStore.clusterCases(of: cases[0], on: connection).contains(cases[1])
            }
            let decisionID = try await LeadStore.decide(id: leadID, decision, examinationID: examination?.id, note: note, flagged: flagged,
                                                        replaces: replaces, reason: reason, by: principal.username, at: now, on: connection)
            var detail = ["decision": decision.rawValue, "decision_id": decisionID.uuidString.lowercased()]
            if let replaces {
                detail["replaces"] = replaces.uuidString.lowercased()
                detail["replaced_decision"] = lead.status.rawValue
                detail["reason"] = reason
            }
            if let examination { detail["examination_id"] = examination.id.uuidString.lowercased() }
            if flagged { detail["flagged_for_review"] = "elimination within a cluster" }
            try await AuditLog.append(AuditEntry(principal: principal, action: replaces == nil ? "lead.decide" : "lead.redecide",
                                                 recordType: "lead", recordID: leadID.uuidString,
                                                 requestID: requestID, detail: AuditEntry.detail(detail)), on: connection)
            guard let decided = try await LeadStore.findLead(id: leadID, now: now, on: connection) else { throw Problem.internal(requestID: requestID) }
            return decided
        }
    }

    /// Withdraws a hit, with the reason: the clusters it made split again.
    public func withdraw(leadID: UUID, reason: String, by principal: Principal, requestID: String?) async throws -> Lead {
        try await requireVisibleLead(leadID, by: principal, requestID: requestID)
        let now = environment.now()
        return try await database.transaction { connection in
            guard let lead = try await LeadStore.findLead(id: leadID, now: now, forUpdate: true, on: connection) else {
                throw Problem.notFound("no lead \(leadID.uuidString.lowercased())")
            }
            guard lead.isHit else {
                throw Problem.conflict(lead.withdrawnAt != nil ? "the hit is withdrawn already" : "the lead is not a hit: only a hit is withdrawn",
                                       slug: "not-a-hit")
            }
            try await LeadStore.withdraw(id: leadID, reason: reason, by: principal.username, at: now, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "lead.withdraw", recordType: "lead", recordID: leadID.uuidString,
                                                 requestID: requestID, detail: AuditEntry.detail(["reason": reason])), on: connection)
            guard let withdrawn = try await LeadStore.findLead(id: leadID, now: now, on: connection) else { throw Problem.internal(requestID: requestID) }
            return withdrawn
        }
    }

    public func lead(id: UUID, by principal: Principal, requestID: String?) async throws -> Lead {
        try await requireVisibleLead(id, by: principal, requestID: requestID)
        let now = environment.now()
        return try await AuditedRead(recordType: "lead", database: database, audit: audit).one(id, by: principal, requestID: requestID) {
            try await LeadStore.findLead(id: id, now: now, on: $0)
        }
    }

    /// Every decision on the lead, oldest first, the current one marked (audited `lead.history`).
    public func leadDecisions(id: UUID, by principal: Principal, requestID: String?) async throws -> [LeadDecisionRecord] {
        try await requireVisibleLead(id, by: principal, requestID: requestID)
        let now = environment.now()
        let (lead, decisions) = try await database.withConnection { connection in
            (try await LeadStore.findLead(id: id, now: now, on: connection), try await LeadStore.decisions(leadID: id, on: connection))
        }
        guard lead != nil else { throw Problem.notFound("no lead \(id.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "lead.history", recordType: "lead", recordID: id.uuidString,
                                          requestID: requestID))
        return decisions
    }

    func leads(status: LeadStatus?, exhibitID: UUID?, page: PageRequest, query: [String: String], by principal: Principal,
               requestID: String?) async throws -> Page<Lead> {
        let now = environment.now()
        let result = try await database.withConnection {
            try await LeadStore.list(status: status, exhibitID: exhibitID, as: principal, page: page, now: now, on: $0)
        }
        try await audit.recordReads(of: result.items.map(\.id), action: "lead.list", recordType: "lead", by: principal, requestID: requestID,
                                    query: query)
        return result
    }

    /// The cluster of the case: the cases its current hits join, transitively, their hit exhibits,
    /// the hits, the recovered firearms whose test-fires are hit, and eliminations inside it.
    public func cluster(caseID: UUID, by principal: Principal, requestID: String?) async throws -> Cluster {
        guard try await forensics.forensicCase(id: caseID, by: principal, requestID: requestID) != nil else {
            throw Problem.notFound("no case \(caseID.uuidString.lowercased())")
        }
        let now = environment.now()
        let (caseIDs, allHits, allEliminations, allExhibits, allParents) = try await database.withConnection { connection in
            let caseIDs = try await LeadStore.clusterCases(of: caseID, on: connection)
            let hits = try await LeadStore.leads(amongCases: caseIDs, status: .identification, now: now, on: connection)
            let eliminations = caseIDs.count > 1
                ? try await LeadStore.leads(amongCases: caseIDs, status: .elimination, now: now, on: connection) : []
            let exhibits = try await LeadStore.exhibits(ids: Array(Set(hits.flatMap { [$0.exhibitA, $0.exhibitB] })), on: connection)
            let parentIDs = exhibits.filter { $0.derivation == .testFire }.compactMap(\.parentID)
            let parents = try await LeadStore.exhibits(ids: Array(Set(parentIDs)), on: connection)
            return (caseIDs, hits, eliminations, exhibits, parents)
        }
        // Need-to-know: only the cases the caller may see are named, with their exhibits and the
        // hits and eliminations between them; the others are counted.
        let visible = try await forensics.visibleCases(Set(caseIDs), by: principal)
        let caseOf = try await database.withConnection { connection in
            try await ExhibitStore.caseIDs(of: Array(Set((allHits + allEliminations).flatMap { [$0.exhibitA, $0.exhibitB] })), on: connection)
        }
        let shown: @Sendable (Lead) -> Bool = { lead in
            [lead.exhibitA, lead.exhibitB].allSatisfy { caseOf[$0].map(visible.contains) ?? false }
        }
        let hits = allHits.filter(shown)
        let eliminations = allEliminations.filter(shown)
        let exhibits = allExhibits.filter { visible.contains($0.caseID) }
        let parents = allParents.filter { visible.contains($0.caseID) }
        // The other cases' references, each read through the forensics read API (audited).
        var cases: [ClusterCase] = []
        for id in caseIDs where visible.contains(id) {
            let reference = try await forensics.forensicCase(id: id, by: principal, requestID: requestID)?.reference
            cases.append(ClusterCase(id: id, reference: reference))
        }
        try await audit.recordReads(of: hits.map(\.id), action: "lead.cluster", recordType: "lead", by: principal, requestID: requestID,
                                    query: ["case_id": caseID.uuidString.lowercased()])
        let firearms = parents.filter { $0.kind == .firearm }
            .map { ClusterFirearm(exhibitID: $0.id, exhibitReference: $0.reference, firearmID: $0.firearmID) }
        // An elimination between two cases of the cluster contradicts the hits that join them.
        let inside = eliminations.filter { _ in caseIDs.count > 1 }
        return Cluster(caseID: caseID, cases: cases, exhibits: exhibits, hits: hits, firearms: firearms, flaggedEliminations: inside,
                       withheldCases: caseIDs.count - cases.count)
    }
}
