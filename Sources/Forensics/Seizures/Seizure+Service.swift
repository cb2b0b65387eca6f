import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import Registry

/// Recording, correcting and reading seizures. A seizure and the registry records it makes
/// (illicit finds, `seized` events) commit together or not at all.
extension Forensics {
    public func createSeizure(_ new: NewSeizure, by principal: Principal, requestID: String?) async throws -> Seizure {
        let errors = new.problems(today: today)
        if !errors.isEmpty { throw Problem.validation(errors) }
        // Registry firearms are read through the registry's API (each read audited as the clerk's).
        for (i, input) in new.firearms.enumerated() {
            guard case .registered(let id) = input else { continue }
            guard let firearm = try await registry.firearm(id: id, by: principal, requestID: requestID) else {
                throw Problem.invalid("firearms[\(i)].firearm_id", "no firearm has this id")
            }
            if firearm.status == .destroyed {
                throw Problem.conflict("firearms[\(i)]: the registry shows \(firearm.reference) destroyed; a destroyed firearm cannot be seized",
                                       slug: "firearm-destroyed")
            }
        }
        let now = environment.now()
        let fields = new.fields
        return try await database.transaction { connection in
            let id = UUID()
            let reference = try await Self.seizureReferences.next(at: now, on: connection)
            try await SeizureStore.insert(id: id, reference: reference, fields, createdBy: principal.username, on: connection)
            let event = NewEvent(kind: .seized, occurredOn: fields.seizedOn, place: fields.place ?? fields.region, agency: fields.agency,
                                 documentRef: reference)
            var seized: [SeizedFirearm] = []
            for (i, input) in new.firearms.enumerated() {
                switch input {
                case .registered(let firearmID):
                    let (_, firearm) = try await Self.naming("firearms[\(i)]") {
                        try await intake.recordEvent(event, firearmID: firearmID, by: principal, requestID: requestID, on: connection)
                    }
                    seized.append(SeizedFirearm(firearmID: firearm.id, firearmReference: firearm.reference, registryRecord: .existing))
                case .illicitFind(let description):
                    let firearm = try await Self.naming("firearms[\(i)].description") {
                        try await intake.recordIllicitFind(description, event: event, by: principal, requestID: requestID, on: connection)
                    }
                    seized.append(SeizedFirearm(firearmID: firearm.id, firearmReference: firearm.reference, registryRecord: .illicitFind))
                }
            }
            try await SeizureStore.insertFirearms(seized, seizureID: id, on: connection)
            guard let seizure = try await SeizureStore.find(id: id, on: connection) else { throw Problem.internal(requestID: requestID) }
            try await SeizureStore.history.append(seizure, id: id, version: seizure.version, change: "recorded", by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "seizure.create", recordType: "seizure", recordID: id.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["reference": reference, "firearms": "\(seized.count)",
                                                                            "illicit_finds": "\(seized.filter { $0.registryRecord == .illicitFind }.count)"])),
                                      on: connection)
            return seizure
        }
    }

    /// Runs a registry write for one item, so that its refusal names the item it came from.
    static func naming<T>(_ item: String, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch var problem as Problem {
            if var errors = problem.errors {
                for index in errors.indices {
                    // The event's date is the seizure's date.
                    errors[index].field = errors[index].field == "occurred_on" ? "seized_on" : "\(item).\(errors[index].field)"
                }
                problem.errors = errors
            }
            problem.detail = "\(item): \(problem.detail)"
            throw problem
        }
    }

    /// Applies `changes` to the seizure at `expectedVersion`: a new version; the old one stays in the history.
    public func changeSeizure(id: UUID, expectedVersion: Int, _ changes: SeizureChanges, by principal: Principal,
                              requestID: String?) async throws -> Seizure {
        let today = self.today
        return try await database.transaction { connection in
            guard let current = try await SeizureStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no seizure \(id.uuidString.lowercased())")
            }
            try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "seizure \(current.reference)")
            let fields = changes.applied(to: current.fields)
            let errors = fields.problems(today: today)
            if !errors.isEmpty { throw Problem.validation(errors) }
            if fields == current.fields { throw Problem.invalid("body", "names no change") }
            try await SeizureStore.update(id: id, fields, on: connection)
            guard let updated = try await SeizureStore.find(id: id, on: connection) else { throw Problem.internal(requestID: requestID) }
            let changed = Self.changedFields(current.fields, fields)
            try await SeizureStore.history.append(updated, id: id, version: updated.version, change: "corrected: " + changed.joined(separator: ", "),
                                                  by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "seizure.update", recordType: "seizure", recordID: id.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["version": "\(updated.version)", "changed": changed.joined(separator: ",")])),
                                      on: connection)
            return updated
        }
    }

    static func changedFields(_ a: SeizureFields, _ b: SeizureFields) -> [String] {
        [("agency", a.agency != b.agency), ("officer", a.officer != b.officer), ("seized_on", a.seizedOn != b.seizedOn),
         ("country", a.country != b.country), ("region", a.region != b.region), ("place", a.place != b.place),
         ("latitude", a.latitude != b.latitude), ("longitude", a.longitude != b.longitude), ("context", a.context != b.context),
         ("concealment", a.concealment != b.concealment), ("persons", a.persons != b.persons), ("parts", a.parts != b.parts),
         ("ammunition", a.ammunition != b.ammunition), ("notes", a.notes != b.notes)].filter(\.1).map(\.0)
    }

    public func seizure(id: UUID, by principal: Principal, requestID: String?) async throws -> Seizure {
        guard let seizure = try await database.withConnection({ try await SeizureStore.find(id: id, on: $0) }) else {
            throw Problem.notFound("no seizure \(id.uuidString.lowercased())")
        }
        try await audit.record(AuditEntry(principal: principal, action: "seizure.read", recordType: "seizure", recordID: id.uuidString,
                                          requestID: requestID))
        return seizure
    }

    func seizures(_ filter: SeizureStore.ListFilter, page: PageRequest, query: [String: String], by principal: Principal,
                  requestID: String?) async throws -> Page<Seizure> {
        let result = try await database.withConnection { try await SeizureStore.list(filter, page: page, on: $0) }
        try await audit.recordReads(of: result.items.map(\.id), action: "seizure.list", recordType: "seizure", by: principal,
                                    requestID: requestID, query: query)
        return result
    }

    public func seizureHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Seizure>] {
        try await SeizureStore.history.read(id, as: Seizure.self, recordType: "seizure", database: database, audit: audit, by: principal,
                                            requestID: requestID)
    }
}
