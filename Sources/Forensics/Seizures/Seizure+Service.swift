import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

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

    /// Corrects the seizure at `expectedVersion`: a new version; the old one stays in the history.
    public func changeSeizure(id: UUID, expectedVersion: Int, _ change: @escaping @Sendable (SeizureFields) -> SeizureFields,
                              by principal: Principal, requestID: String?) async throws -> Seizure {
        let today = self.today
        return try await SeizureStore.correction.apply(id: id, expectedVersion: expectedVersion, database: database, by: principal,
                                                       requestID: requestID, change, problems: { $0.problems(today: today) })
    }

    public func seizure(id: UUID, by principal: Principal, requestID: String?) async throws -> Seizure {
        try await AuditedRead(recordType: "seizure", database: database, audit: audit).one(id, by: principal, requestID: requestID) {
            try await self.visibleSeizure(id, by: principal, requestID: requestID, on: $0)
        }
    }

    /// The seizure as `principal` may see it, or nil: absent and hidden alike (404). A liaison
    /// officer sees a seizure a trace they may see names, or a case they may see names, or no case
    /// names (`seizure_visible`); a hidden one's refusal is a `seizure.denied` entry.
    func visibleSeizure(_ id: UUID, by principal: Principal, requestID: String?, on connection: PostgresConnection) async throws -> Seizure? {
        guard let found = try await SeizureStore.find(id: id, on: connection) else { return nil }
        if try await SeizureStore.visible(id, to: principal, on: connection) { return found }
        try await audit.record(AuditEntry(principal: principal, action: "seizure.denied", recordType: "seizure", recordID: id.uuidString,
                                          requestID: requestID, outcome: .denied,
                                          detail: AuditEntry.detail(["rule": "a liaison officer sees a seizure a case or a trace they may see names"])))
        return nil
    }

    func seizures(_ filter: SeizureStore.ListFilter, page: PageRequest, query: [String: String], by principal: Principal,
                  requestID: String?) async throws -> Page<Seizure> {
        var filter = filter
        filter.viewer = principal.userID
        filter.clearance = principal.clearance
        filter.tracedOnly = principal.readsSeizuresThroughTraces
        let scoped = filter
        return try await AuditedRead(recordType: "seizure", database: database, audit: audit).page(query: query, by: principal, requestID: requestID,
                                                                                              id: \.id) {
            try await SeizureStore.list(scoped, page: page, on: $0)
        }
    }

    public func seizureHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Seizure>] {
        guard try await database.withConnection({ try await visibleSeizure(id, by: principal, requestID: requestID, on: $0) }) != nil else {
            throw Problem.notFound("no seizure \(id.uuidString.lowercased())")
        }
        return try await SeizureStore.history.read(id, as: Seizure.self, recordType: "seizure", database: database, audit: audit, by: principal,
                                            requestID: requestID)
    }
}
