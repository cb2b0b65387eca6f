import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Registering, correcting and reading firearms: each write in one transaction with its version
/// row and audit entry; each read audited before it is answered.
extension Registry {
    /// The record a registration or correction would duplicate: naming it in the 409 is a read.
    struct Duplicate: Error { let existing: Firearm }

    func reportDuplicate(_ duplicate: Duplicate, by principal: Principal, requestID: String?) async throws -> Problem {
        try await audit.record(AuditEntry(principal: principal, action: "firearm.read", recordType: "firearm",
                                          recordID: duplicate.existing.id.uuidString, requestID: requestID,
                                          detail: AuditEntry.detail(["via": "duplicate check"])))
        var problem = Problem.conflict("this firearm (same make, serial, type and calibre) is registered already as "
                                       + "\(duplicate.existing.reference) (id \(duplicate.existing.id.uuidString.lowercased()))",
                                       slug: "duplicate-firearm")
        problem.errors = [.init(field: "serial", detail: "duplicates \(duplicate.existing.reference)")]
        return problem
    }

    /// Runs a registration or correction; a duplicate found on the way becomes an audited 409.
    private func checkingDuplicates<T: Sendable>(by principal: Principal, requestID: String?,
                                                 _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let duplicate as Duplicate {
            throw try await reportDuplicate(duplicate, by: principal, requestID: requestID)
        }
    }

    public func register(_ description: FirearmDescription, holderID: UUID?, by principal: Principal,
                         requestID: String?) async throws -> Firearm {
        try await registerReviewed(description, holderID: holderID, by: principal, requestID: requestID).record
    }

    /// Registers the firearm, compared with the reference table of makes and models: what does not
    /// match is accepted, flagged for review on the record, and explained in the answer's warnings.
    public func registerReviewed(_ description: FirearmDescription, holderID: UUID?, by principal: Principal,
                                 requestID: String?) async throws -> Flagged<Firearm> {
        let errors = description.problems(currentYear: currentYear, categories: settings.categories)
        if !errors.isEmpty { throw Problem.validation(errors) }
        let warnings = reviewWarnings(description)
        let flags = Self.flags(warnings)
        let now = environment.now()
        return try await checkingDuplicates(by: principal, requestID: requestID) {
            try await database.transaction { connection in
                let firearm = try await insert(description, holderID: holderID, now: now, flags: flags, by: principal, requestID: requestID,
                                               on: connection)
                return Flagged(record: firearm, reviewFlags: flags, warnings: warnings)
            }
        }
    }

    /// A checked description stored on the caller's transaction: the record, its first version
    /// and its audit entry (`via` names the module it came through, if not the API).
    func insert(_ description: FirearmDescription, holderID: UUID?, now: Date, flags: [ReviewFlag] = [], by principal: Principal,
                requestID: String?, via: String? = nil, on connection: PostgresConnection) async throws -> Firearm {
        if let holderID, try await HolderStore.find(id: holderID, on: connection) == nil {
            throw Problem.invalid("holder_id", "no holder has this id")
        }
        if let existing = try await FirearmStore.duplicate(of: description, excluding: nil, on: connection) {
            throw Duplicate(existing: existing)
        }
        let firearm: Firearm
        do {
            firearm = try await FirearmStore.insert(id: UUID(), description, holderID: holderID, now: now, on: connection)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // A concurrent registration of the same firearm won the race.
            throw Problem.conflict("this firearm (same make, serial, type and calibre) is registered already", slug: "duplicate-firearm")
        }
        if !flags.isEmpty { try await FirearmReviewStore.setFlags(flags, id: firearm.id, on: connection) }
        var detail = ["reference": firearm.reference, "serial": firearm.serialNormalized ?? "", "origin": description.recordOrigin.rawValue]
        if !flags.isEmpty { detail["review"] = flags.map(\.rawValue).joined(separator: ",") }
        if let via { detail["via"] = via }
        // The first version and its audit entry in one statement.
        try await FirearmStore.history.append(firearm, id: firearm.id, version: firearm.version,
                                              change: "registered" + Self.reviewNote(flags), by: principal,
                                              audit: AuditEntry(principal: principal, action: "firearm.create", recordType: "firearm",
                                                                recordID: firearm.id.uuidString, requestID: requestID,
                                                                detail: AuditEntry.detail(detail)),
                                              on: connection)
        return firearm
    }

    /// Applies `changes` to the firearm at `expectedVersion`: a new version, its history row and
    /// its audit entry, or nothing.
    /// A correction, compared with the reference table like a registration: the flags are
    /// recomputed from the corrected description, so a correction that matches clears them.
    /// `expectedVersion` nil (a write through the intake API) skips `If-Match`; `on` a caller's
    /// transaction, the correction commits with the caller's record.
    func correctReviewed(id: UUID, expectedVersion: Int?, note: String = "corrected",
                         _ change: @escaping @Sendable (FirearmDescription) -> FirearmDescription, by principal: Principal,
                         requestID: String?, via module: String? = nil, on caller: PostgresConnection? = nil) async throws -> Flagged<Firearm> {
        let year = currentYear
        let categories = settings.categories
        // The changed fields' own rules first, so a bad value is 422 whatever the version.
        let alone = change(FirearmDescription(make: "-", type: .other, calibre: "-", serial: "X", restorationMethod: "-"))
        let early = alone.problems(currentYear: year, categories: categories)
        if !early.isEmpty { throw Problem.validation(early) }
        let correct: @Sendable (PostgresConnection) async throws -> Flagged<Firearm> = { connection in
            let updated = try await FirearmStore.correction.apply(
                id: id, expectedVersion: expectedVersion, on: connection, by: principal, requestID: requestID, note: note,
                { change($0).trimmedNames },
                problems: { $0.problems(currentYear: year, categories: categories) },
                refuse: { current, description, connection in
                    // Only a change of what identifies a firearm can make it another record's duplicate.
                    let was = current.description
                    guard (was.make, was.type, was.calibre, was.serial) != (description.make, description.type, description.calibre,
                                                                             description.serial) else { return }
                    if let existing = try await FirearmStore.duplicate(of: description, excluding: id, on: connection) {
                        throw Duplicate(existing: existing)
                    }
                },
                annotate: { Self.reviewNote(Self.flags(self.reviewWarnings($0))) }) { updated, connection in
                    let flags = Self.flags(self.reviewWarnings(updated.description))
                    try await FirearmReviewStore.setFlags(flags, id: id, on: connection)
                    var detail = ["reference": updated.reference]
                    if !flags.isEmpty { detail["review"] = flags.map(\.rawValue).joined(separator: ",") }
                    if let module { detail["via"] = module }
                    return detail
                }
            let warnings = self.reviewWarnings(updated.description)
            return Flagged(record: updated, reviewFlags: Self.flags(warnings), warnings: warnings)
        }
        if let caller { return try await correct(caller) }
        return try await checkingDuplicates(by: principal, requestID: requestID) { try await database.transaction(correct) }
    }

    public func history(id: UUID, by principal: Principal, requestID: String?) async throws -> [RecordVersion<Firearm>] {
        let versions = try await FirearmStore.history.read(id, as: Firearm.self, recordType: "firearm", database: database, audit: audit,
                                                           by: principal, requestID: requestID)
        let shown = try await caseDisclosure.disclosable(Set(versions.compactMap(\.record.restorationCase)), to: principal)
        return versions.map { version in
            var version = version
            version.record = version.record.disclosing(shown)
            return version
        }
    }

    func list(_ filter: FirearmStore.ListFilter, page: PageRequest, query: [String: String], by principal: Principal,
              requestID: String?) async throws -> Page<Firearm> {
        let result = try await database.withConnection { try await FirearmStore.list(filter, page: page, on: $0) }
        try await audit.recordReads(of: result.items.map(\.id), action: "firearm.list", recordType: "firearm", by: principal,
                                    requestID: requestID, query: query)
        return result.replacingItems(try await disclosed(result.items, to: principal))
    }

    /// The firearm with the licences covering it (their effective status included), its
    /// components and its review flags: one prepared statement.
    func firearmDetail(id: UUID, by principal: Principal, requestID: String?) async throws -> Flagged<FirearmDetail> {
        let today = self.today
        guard let (firearm, flags, licences, components) = try await database.withConnection({
            try await FirearmStore.detail(id: id, today: today, on: $0)
        }) else { throw Problem.notFound("no firearm \(id.uuidString.lowercased())") }
        try await audit.record([AuditEntry(principal: principal, action: "firearm.read", recordType: "firearm",
                                           recordID: id.uuidString, requestID: requestID)]
            + licences.map { AuditEntry(principal: principal, action: "licence.read", recordType: "licence",
                                        recordID: $0.id.uuidString, requestID: requestID) })
        return Flagged(record: FirearmDetail(firearm: try await disclosed(firearm, to: principal), licences: licences, components: components),
                       reviewFlags: flags)
    }
}
