import ExhibitsAPI
import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Drafting, changing, sending, reviewing, closing and reading outgoing requests.
extension Tracing {
    /// What the linked records give a draft: the exhibit's firearm, case, seizure, calibre and
    /// description, the registry firearm's description, the seizure's place and date, the case's
    /// offence, each read through its module's read API (audited).
    func completed(_ fields: TraceFields, by principal: Principal, requestID: String?) async throws -> TraceFields {
        var f = fields
        var errors: [Problem.FieldError] = []
        var exhibit: Exhibit?
        if let exhibitID = f.exhibitID {
            if let found = try await exhibits.exhibit(id: exhibitID, by: principal, requestID: requestID) {
                exhibit = found
                errors += FieldRules.exhibitLinks(found, seizureID: f.seizureID, caseID: f.caseID, firearmID: f.firearmID)
                f.caseID = f.caseID ?? found.caseID
                f.seizureID = f.seizureID ?? found.seizureID
                f.firearmID = f.firearmID ?? found.firearmID
            } else {
                errors.append(.init(field: "exhibit_id", detail: "no exhibit has this id"))
            }
            if !errors.isEmpty { throw Problem.validation(errors) }
        }
        if let seizureID = f.seizureID {
            if let seizure = try await forensics.seizure(id: seizureID, by: principal, requestID: requestID) {
                var c = f.circumstances ?? Circumstances()
                c.recoveredOn = c.recoveredOn ?? seizure.seizedOn
                c.recoveryPlace = c.recoveryPlace ?? seizure.place
                c.recoveryCountry = c.recoveryCountry ?? seizure.country
                f.circumstances = c
                // An exhibit names its own firearm (or none): the seizure's sole firearm may be another one.
                if f.firearmID == nil && f.firearm == nil && exhibit == nil && seizure.firearms.count == 1 {
                    f.firearmID = seizure.firearms[0].firearmID
                }
            } else {
                errors.append(.init(field: "seizure_id", detail: "no seizure has this id"))
            }
        }
        if let caseID = f.caseID {
            if let found = try await forensics.forensicCase(id: caseID, by: principal, requestID: requestID) {
                var c = f.circumstances ?? Circumstances()
                c.crimeType = c.crimeType ?? found.offence
                // The incident's date is not the recovery's: a trace without a recovery date says so
                // (its time-to-crime is unavailable) rather than count from the wrong day.
                c.recoveryCountry = c.recoveryCountry ?? found.incidentCountry
                f.circumstances = c
            } else {
                errors.append(.init(field: "case_id", detail: "no case has this id"))
            }
        }
        if let firearmID = f.firearmID {
            if let firearm = try await registry.firearm(id: firearmID, by: principal, requestID: requestID) {
                if f.firearm == nil { f.firearm = FoundFirearm(firearm) }
            } else {
                errors.append(.init(field: "firearm_id", detail: "no firearm has this id"))
            }
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        if let exhibit { f.firearm = FieldRules.foundFirearm(f.firearm, from: exhibit) }
        return f
    }

    func checkParent(_ parentID: UUID?, of id: UUID?, by principal: Principal, requestID: String?,
                     on connection: PostgresConnection) async throws {
        guard let parentID else { return }
        if parentID == id { throw Problem.invalid("parent_id", "is the request itself") }
        guard let parent = try await visibleTrace(parentID, by: principal, requestID: requestID, on: connection) else {
            throw Problem.invalid("parent_id", "no trace has this id")
        }
        if parent.direction != .outgoing { throw Problem.invalid("parent_id", "is an incoming request: a follow-on follows an outgoing one") }
    }

    /// Creates an outgoing draft (copying what its linked records describe).
    public func createTrace(_ fields: TraceFields, by principal: Principal, requestID: String?) async throws -> Trace {
        let errors = fields.problems(today: today, checkDeadline: true) + Self.clearanceProblems(fields, principal)
        if !errors.isEmpty { throw Problem.validation(errors) }
        let fields = try await completed(fields, by: principal, requestID: requestID)
        let now = environment.now()
        return try await database.transaction { connection in
            try await checkParent(fields.parentID, of: nil, by: principal, requestID: requestID, on: connection)
            return try await Self.insert(fields, direction: .outgoing, now: now, by: principal, requestID: requestID, on: connection)
        }
    }

    static func insert(_ fields: TraceFields, direction: TraceDirection, now: Date, by principal: Principal, requestID: String?,
                       on connection: PostgresConnection) async throws -> Trace {
        let id = UUID()
        let reference = try await references.next(at: now, on: connection)
        try await TraceStore.insert(id: id, reference: reference, direction: direction, status: direction == .outgoing ? .draft : .acknowledged,
                                    fields, createdBy: principal.username, acknowledgedNow: direction == .incoming, on: connection)
        guard let created = try await TraceStore.find(id: id, on: connection) else { throw Problem.internal(requestID: requestID) }
        // Who drafted or recorded it is the first member of its team.
        if let userID = principal.userID {
            _ = try await TraceMemberStore.add(id, userID: userID, username: principal.username,
                                               reason: direction == .outgoing ? "drafted the request" : "recorded the request",
                                               by: principal.username, on: connection)
        }
        try await TraceStore.history.append(created, id: id, version: created.version,
                                            change: direction == .outgoing ? "drafted" : "received", by: principal, on: connection)
        var detail = ["reference": reference, "direction": direction.rawValue]
        if let parent = fields.parentID { detail["parent_id"] = parent.uuidString.lowercased() }
        try await AuditLog.append(AuditEntry(principal: principal, action: "trace.create", recordType: "trace", recordID: id.uuidString,
                                             requestID: requestID, detail: AuditEntry.detail(detail)), on: connection)
        return created
    }

    /// One draft per firearm of a seizure, in one transaction: each copies its firearm's
    /// description; the addressee, when not given, is the state of manufacture.
    public func createBulk(_ template: TraceFields, by principal: Principal, requestID: String?) async throws -> [Trace] {
        let errors = template.problems(today: today, checkDeadline: true) + Self.clearanceProblems(template, principal)
        if !errors.isEmpty { throw Problem.validation(errors) }
        guard let seizureID = template.seizureID,
              let seizure = try await forensics.seizure(id: seizureID, by: principal, requestID: requestID) else {
            throw Problem.invalid("seizure_id", "no seizure has this id")
        }
        if seizure.firearms.isEmpty { throw Problem.invalid("seizure_id", "the seizure lists no firearm to trace") }
        if seizure.firearms.count > TraceLimits.bulk { throw Problem.invalid("seizure_id", "lists more than \(TraceLimits.bulk) firearms") }
        var drafts: [TraceFields] = []
        var missing: [Problem.FieldError] = []
        for (i, seized) in seizure.firearms.enumerated() {
            var f = template
            f.firearmID = seized.firearmID
            f = try await completed(f, by: principal, requestID: requestID)
            if f.addressee == nil {
                if let country = f.firearm?.countryOfManufacture {
                    f.addressee = Addressee(kind: .state, country: country, name: nil)
                } else {
                    missing.append(.init(field: "addressee", detail: "is required: firearm \(i) (\(seized.firearmReference)) has no country of manufacture"))
                }
            }
            drafts.append(f)
        }
        if !missing.isEmpty { throw Problem.validation(missing) }
        let now = environment.now()
        let all = drafts
        return try await database.transaction { connection in
            var created: [Trace] = []
            for draft in all {
                created.append(try await Self.insert(draft, direction: .outgoing, now: now, by: principal, requestID: requestID, on: connection))
            }
            return created
        }
    }

    /// Changes a draft at `expectedVersion`; a sent request only receives messages (409).
    func changeDraft(id: UUID, expectedVersion: Int, _ body: TraceBody, by principal: Principal, requestID: String?) async throws -> Trace {
        let current = try await database.withConnection { try await requireVisibleTrace(id, by: principal, requestID: requestID, on: $0) }
        var fields = try body.applied(to: current.fields)
        var errors = fields.problems(today: today, checkDeadline: fields.deadline != current.deadline)
        if fields.confidentiality != current.confidentiality { errors += Self.clearanceProblems(fields, principal) }
        if !errors.isEmpty { throw Problem.validation(errors) }
        if body.seizureID != nil || body.caseID != nil || body.firearmID != nil || body.exhibitID != nil {
            var linked = fields
            if body.seizureID == nil { linked.seizureID = nil }
            if body.caseID == nil { linked.caseID = nil }
            if body.firearmID == nil { linked.firearmID = nil }
            if body.exhibitID == nil { linked.exhibitID = nil }
            let completedFields = try await completed(linked, by: principal, requestID: requestID)
            fields.firearm = completedFields.firearm
            fields.circumstances = completedFields.circumstances
            fields.firearmID = completedFields.firearmID ?? fields.firearmID
            // A new exhibit brings its own case and seizure.
            if body.exhibitID != nil {
                fields.caseID = completedFields.caseID ?? fields.caseID
                fields.seizureID = completedFields.seizureID ?? fields.seizureID
            }
        }
        let final = fields
        return try await database.transaction { connection in
            let locked = try await self.locked(id, expectedVersion: expectedVersion, by: principal, requestID: requestID, on: connection)
            guard locked.status == .draft else {
                throw Problem.conflict("trace \(locked.reference) is \(locked.status.rawValue): only a draft is edited; a sent request only receives messages",
                                       slug: "trace-not-draft")
            }
            if final == locked.fields { throw Problem.invalid("body", "names no change") }
            if final.parentID != locked.parentID {
                try await checkParent(final.parentID, of: id, by: principal, requestID: requestID, on: connection)
            }
            if final.confidentiality != locked.confidentiality, (Clearance(rawValue: final.confidentiality.rawValue) ?? .secret).needsMembership,
               try await !TraceMemberStore.isCurrentMember(id, userID: principal.userID, on: connection) {
                throw Problem.conflict("a \(final.confidentiality.rawValue) trace is seen by its team only: join trace \(locked.reference)'s team first",
                                       slug: "not-a-member")
            }
            // A legal review approved the personal data as it stood: when that changes, it is reviewed again.
            let personal = { (f: TraceFields) in [f.circumstances?.possessor].compactMap { $0 } + (f.circumstances?.associates ?? []) }
            let clearReview = locked.legalReview != nil && personal(final) != personal(locked.fields)
            try await TraceStore.update(id: id, final, clearReview: clearReview, on: connection)
            return try await Self.changed(id, change: clearReview ? "draft edited; legal review cleared (the personal data changed)" : "draft edited",
                                          action: "trace.update", detail: clearReview ? ["legal_review": "cleared"] : [:], by: principal,
                                          requestID: requestID, on: connection)
        }
    }

    /// Reads the request back after a change, appends its version and the audit entry.
    static func changed(_ id: UUID, change: String, action: String, detail: [String: String] = [:], by principal: Principal,
                        requestID: String?, on connection: PostgresConnection) async throws -> Trace {
        guard let updated = try await TraceStore.find(id: id, on: connection) else { throw Problem.internal(requestID: requestID) }
        try await TraceStore.history.append(updated, id: id, version: updated.version, change: change, by: principal, on: connection)
        var detail = detail
        detail["version"] = "\(updated.version)"
        detail["status"] = updated.status.rawValue
        try await AuditLog.append(AuditEntry(principal: principal, action: action, recordType: "trace", recordID: id.uuidString,
                                             requestID: requestID, detail: AuditEntry.detail(detail)), on: connection)
        return updated
    }

    /// Locks the request as `principal` may see it (404 when hidden) and checks the version when one is given.
    func locked(_ id: UUID, expectedVersion: Int?, by principal: Principal, requestID: String?,
                on connection: PostgresConnection) async throws -> Trace {
        let current = try await requireVisibleTrace(id, by: principal, requestID: requestID, forUpdate: true, on: connection)
        if let expectedVersion {
            try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "trace \(current.reference)")
        }
        return current
    }

    static func outOfOrder(_ trace: Trace, to status: TraceStatus) -> Problem {
        Problem.conflict("trace \(trace.reference) is \(trace.status.rawValue): it cannot become \(status.rawValue)", slug: "trace-status")
    }

    /// Sends a draft: the ITI minimum content is checked (422 naming each missing field), and
    /// personal data needs a recorded legal review.
    public func send(id: UUID, expectedVersion: Int?, by principal: Principal, requestID: String?) async throws -> Trace {
        let today = self.today
        return try await database.transaction { connection in
            let current = try await self.locked(id, expectedVersion: expectedVersion, by: principal, requestID: requestID, on: connection)
            guard current.direction == .outgoing, current.status == .draft else { throw Self.outOfOrder(current, to: .sent) }
            var errors = current.fields.missingForSend
            if let deadline = current.deadline, deadline < today { errors.append(.init(field: "deadline", detail: "is in the past")) }
            if current.personalData && current.legalReview == nil {
                errors.append(.init(field: "legal_review",
                                    detail: "the request names a possessor or associates: personal data leaves the country only after a recorded legal review"))
            }
            if !errors.isEmpty {
                throw Problem.validation(errors, detail: "trace \(current.reference) lacks what the ITI requires of a tracing request (section V, para 17)")
            }
            try await TraceStore.setStatus(id: id, .sent, by: principal.username, on: connection)
            return try await Self.changed(id, change: "sent", action: "trace.send", by: principal, requestID: requestID, on: connection)
        }
    }

    /// Closes an answered request.
    public func close(id: UUID, expectedVersion: Int?, by principal: Principal, requestID: String?) async throws -> Trace {
        try await database.transaction { connection in
            let current = try await self.locked(id, expectedVersion: expectedVersion, by: principal, requestID: requestID, on: connection)
            guard current.status == .answered else { throw Self.outOfOrder(current, to: .closed) }
            try await TraceStore.setStatus(id: id, .closed, by: principal.username, on: connection)
            return try await Self.changed(id, change: "closed", action: "trace.close", by: principal, requestID: requestID, on: connection)
        }
    }

    /// The request with its answer, time-to-crime and response time.
    public func trace(id: UUID, by principal: Principal, requestID: String?) async throws -> TraceDetail {
        let (found, messages) = try await database.withConnection { connection in
            (try await requireVisibleTrace(id, by: principal, requestID: requestID, on: connection),
             try await TraceStore.messages(traceID: id, on: connection))
        }
        try await audit.record(AuditEntry(principal: principal, action: "trace.read", recordType: "trace", recordID: id.uuidString,
                                          requestID: requestID))
        return detail(found, messages: messages)
    }

    func detail(_ trace: Trace, messages: [TraceMessage]) -> TraceDetail {
        let answer = TraceStore.answer(of: messages)
        let ttc = answer?.timeToCrime(recoveredOn: trace.circumstances?.recoveredOn, thresholdYears: settings.timeToCrimeYears)
        var responseDays: Int?
        if let answered = trace.answered {
            let start = trace.direction == .incoming ? trace.receivedOn : trace.sent.map { CalendarDate($0.at) }
            responseDays = start.map { CalendarDate.days(from: $0, to: CalendarDate(answered.at)) }
        }
        return TraceDetail(trace: trace, answer: answer, timeToCrime: ttc, responseDays: responseDays)
    }

    /// A level above the caller's clearance is refused: the trace would hide from who made it.
    static func clearanceProblems(_ fields: TraceFields, _ principal: Principal) -> [Problem.FieldError] {
        guard let wanted = Clearance(rawValue: fields.confidentiality.rawValue), principal.clearance < wanted else { return [] }
        return [.init(field: "confidentiality", detail: "is above your clearance (\(principal.clearance.rawValue))")]
    }

    func traces(_ filter: TraceStore.ListFilter, page: PageRequest, query: [String: String], by principal: Principal,
                requestID: String?) async throws -> Page<Trace> {
        try await AuditedRead(recordType: "trace", database: database, audit: audit).page(query: query, by: principal, requestID: requestID, id: \.id) {
            try await TraceStore.list(filter, page: page, on: $0)
        }
    }

    public func traceHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Trace>] {
        _ = try await database.withConnection { try await requireVisibleTrace(id, by: principal, requestID: requestID, on: $0) }
        return try await TraceStore.history.read(id, as: Trace.self, recordType: "trace", database: database, audit: audit, by: principal,
                                          requestID: requestID)
    }
}
