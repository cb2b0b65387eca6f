import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// A lifecycle event as a clerk reports it.
public struct NewEvent: Sendable {
    public var kind: EventKind
    public var occurredOn: String
    public var transferKind: TransferKind?
    public var place: String?
    public var agency: String?
    public var documentRef: String?
    public var permitNumber: String?
    public var counterpartCountry: String?
    public var counterpartHolderID: UUID?
    public var notes: String?
}

public struct NewHolder: Sendable {
    public var kind: String
    public var name: String
    public var idNumber: String?
    public var address: String?
    public var country: String
}

/// The national firearms registry: firearms, their versions and events, and their holders.
/// Clerks write; analysts, examiners and liaison officers read; every read and write is audited.
public struct Registry: IFCModule {
    public let name = "registry"
    let database: Database
    let audit: AuditWriter
    let environment: AppEnvironment

    public init(database: Database, audit: AuditWriter, environment: AppEnvironment) {
        self.database = database
        self.audit = audit
        self.environment = environment
    }

    var currentYear: Int { Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: environment.now()).year! }

    // MARK: - Firearms

    /// The record a registration or correction would duplicate: naming it in the 409 is a read.
    struct Duplicate: Error { let existing: Firearm }

    func reportDuplicate(_ duplicate: Duplicate, by principal: Principal, requestID: String?) async throws -> Problem {
        try await audit.record(AuditEntry(principal: principal, action: "firearm.read", recordType: "firearm",
                                          recordID: duplicate.existing.id.uuidString, requestID: requestID,
                                          detail: #"{"via":"duplicate check"}"#))
        return Self.duplicate(duplicate.existing)
    }

    public func register(_ description: FirearmDescription, holderID: UUID?, by principal: Principal,
                         requestID: String?) async throws -> Firearm {
        let errors = description.problems(currentYear: currentYear)
        if !errors.isEmpty { throw Problem.validation(errors) }
        do {
            return try await registerChecked(description, holderID: holderID, by: principal, requestID: requestID)
        } catch let duplicate as Duplicate {
            throw try await reportDuplicate(duplicate, by: principal, requestID: requestID)
        }
    }

    private func registerChecked(_ description: FirearmDescription, holderID: UUID?, by principal: Principal,
                                 requestID: String?) async throws -> Firearm {
        try await database.transaction { connection in
            if let holderID, try await HolderStore.find(id: holderID, on: connection) == nil {
                throw Problem.invalid("holder_id", "no holder has this id")
            }
            if let existing = try await FirearmStore.duplicate(of: description, excluding: nil, on: connection) {
                throw Duplicate(existing: existing)
            }
            let firearm: Firearm
            do {
                firearm = try await FirearmStore.insert(id: UUID(), description, holderID: holderID, on: connection)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                // A concurrent registration of the same firearm won the race.
                throw Problem.conflict("this firearm (same make, serial, type and calibre) is registered already", slug: "duplicate-firearm")
            }
            try await FirearmStore.recordVersion(firearm, change: "registered", by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "firearm.create", recordType: "firearm",
                                                 recordID: firearm.id.uuidString, requestID: requestID,
                                                 detail: Self.detail(["reference": firearm.reference, "serial": firearm.serialNormalized])),
                                      on: connection)
            return firearm
        }
    }

    static func duplicate(_ existing: Firearm) -> Problem {
        var problem = Problem.conflict("this firearm (same make, serial, type and calibre) is registered already as \(existing.reference) "
                                       + "(id \(existing.id.uuidString.lowercased()))", slug: "duplicate-firearm")
        problem.errors = [.init(field: "serial", detail: "duplicates \(existing.reference)")]
        return problem
    }

    public func correct(id: UUID, expectedVersion: Int, _ description: FirearmDescription, by principal: Principal,
                        requestID: String?) async throws -> Firearm {
        let errors = description.problems(currentYear: currentYear)
        if !errors.isEmpty { throw Problem.validation(errors) }
        do {
            return try await correctChecked(id: id, expectedVersion: expectedVersion, description, by: principal, requestID: requestID)
        } catch let duplicate as Duplicate {
            throw try await reportDuplicate(duplicate, by: principal, requestID: requestID)
        }
    }

    private func correctChecked(id: UUID, expectedVersion: Int, _ description: FirearmDescription, by principal: Principal,
                                requestID: String?) async throws -> Firearm {
        try await database.transaction { connection in
            guard let current = try await FirearmStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no firearm \(id.uuidString.lowercased())")
            }
            try ETag.check(expected: expectedVersion, current: current.version, record: "firearm \(current.reference)")
            if let existing = try await FirearmStore.duplicate(of: description, excluding: id, on: connection) {
                throw Duplicate(existing: existing)
            }
            let updated = try await FirearmStore.update(id: id, description, on: connection)
            try await FirearmStore.recordVersion(updated, change: "corrected", by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "firearm.update", recordType: "firearm",
                                                 recordID: id.uuidString, requestID: requestID,
                                                 detail: Self.detail(["reference": updated.reference, "version": "\(updated.version)"])),
                                      on: connection)
            return updated
        }
    }

    public func history(id: UUID, by principal: Principal, requestID: String?) async throws -> [FirearmVersion] {
        let versions = try await database.withConnection { try await FirearmStore.history(id: id, on: $0) }
        guard !versions.isEmpty else { throw Problem.notFound("no firearm \(id.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "firearm.history", recordType: "firearm",
                                          recordID: id.uuidString, requestID: requestID))
        return versions
    }

    /// A list read writes one entry per record returned, so "who saw this record" has an
    /// answer; an empty answer still writes one entry (the search itself was a read).
    func recordReads(_ ids: [UUID], action: String, recordType: String, by principal: Principal, requestID: String?,
                     detail: String? = nil) async throws {
        let entries = ids.isEmpty
            ? [AuditEntry(principal: principal, action: action, recordType: recordType, requestID: requestID, detail: detail)]
            : ids.map { AuditEntry(principal: principal, action: action, recordType: recordType, recordID: $0.uuidString,
                                   requestID: requestID, detail: detail) }
        try await audit.record(entries)
    }

    func list(_ filter: FirearmStore.ListFilter, page: PageRequest, by principal: Principal, requestID: String?) async throws -> Page<Firearm> {
        let result = try await database.withConnection { try await FirearmStore.list(filter, page: page, on: $0) }
        try await recordReads(result.items.map(\.id), action: "firearm.list", recordType: "firearm", by: principal, requestID: requestID)
        return result
    }

    public func search(pattern text: String, confusables: Bool, limit: Int, by principal: Principal, requestID: String?) async throws -> [Firearm] {
        guard let pattern = Serial.Pattern(text) else { throw Problem.invalid("serial", "must contain letters, digits, ? or *") }
        guard pattern.knownCount >= 3 else {
            throw Problem.invalid("serial", "needs at least 3 known characters; fewer would match most of the registry")
        }
        guard text.count <= 100 else { throw Problem.invalid("serial", "must be at most 100 characters") }
        guard pattern.isIndexable else {
            throw Problem.invalid("serial", "must start with a known character or hold three known characters in a row "
                                  + "(e.g. *123*); scattered characters would mean reading the whole registry")
        }
        let found = try await database.withConnection { try await FirearmStore.search(pattern, confusables: confusables, limit: limit, on: $0) }
        try await recordReads(found.map(\.id), action: "firearm.search", recordType: "firearm", by: principal, requestID: requestID,
                              detail: Self.detail(["pattern": pattern.normalized, "confusables": "\(confusables)"]))
        return found
    }

    // MARK: - Events

    public func appendEvent(firearmID: UUID, expectedVersion: Int?, _ event: NewEvent, by principal: Principal,
                            requestID: String?) async throws -> (FirearmEvent, Firearm) {
        try validate(event)
        return try await database.transaction { connection in
            guard let current = try await FirearmStore.find(id: firearmID, forUpdate: true, on: connection) else {
                throw Problem.notFound("no firearm \(firearmID.uuidString.lowercased())")
            }
            if let expectedVersion {
                try ETag.check(expected: expectedVersion, current: current.version, record: "firearm \(current.reference)")
            }
            if let year = current.yearOfManufacture, let eventYear = Int(event.occurredOn.prefix(4)), eventYear < year {
                throw Problem.invalid("occurred_on", "is before the firearm's year of manufacture (\(year))")
            }
            // Status follows the events in date order, so an event may not predate the last one.
            let latest = try await connection.query("SELECT max(occurred_on)::text FROM firearm_events WHERE firearm_id = \(firearmID)",
                                                    logger: FirearmStore.logger)
            for try await last in latest.decode(String?.self) {
                if let last, event.occurredOn < last {
                    throw Problem.conflict("an event dated \(last) is recorded already; events are recorded in date order", slug: "event-refused")
                }
            }
            if let counterpart = event.counterpartHolderID, try await HolderStore.find(id: counterpart, on: connection) == nil {
                throw Problem.invalid("counterpart_holder_id", "no holder has this id")
            }
            let status: FirearmStatus
            switch event.kind.apply(to: current.status, transfer: event.transferKind) {
            case .success(let next): status = next
            case .failure(let refusal):
                throw Problem.conflict(refusal.reason, slug: "event-refused")
            }
            // A domestic transfer hands the firearm to the counterpart; an export takes it out of
            // national holding.
            var holder = current.holderID
            if event.kind == .transferred {
                switch event.transferKind {
                case .export?: holder = nil
                default: holder = event.counterpartHolderID ?? holder
                }
            }
            let updated = try await FirearmStore.setStatus(id: firearmID, status: status, holderID: holder, on: connection)
            let recorded = try await EventStore.insert(event, firearmID: firearmID, statusAfter: status, version: updated.version,
                                                       by: principal, on: connection)
            try await FirearmStore.recordVersion(updated, change: "event: \(event.kind.rawValue)", by: principal, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "firearm.event", recordType: "firearm",
                                                 recordID: firearmID.uuidString, requestID: requestID,
                                                 detail: Self.detail(["event": event.kind.rawValue, "status": status.rawValue,
                                                                      "event_id": recorded.id.uuidString.lowercased()])),
                                      on: connection)
            return (recorded, updated)
        }
    }

    func validate(_ event: NewEvent) throws(Problem) {
        var errors: [Problem.FieldError] = []
        if let date = Self.parseDate(event.occurredOn) {
            if date > environment.now() { errors.append(.init(field: "occurred_on", detail: "is in the future")) }
        } else {
            errors.append(.init(field: "occurred_on", detail: "must be a date such as 2026-03-14"))
        }
        if event.kind == .transferred && event.transferKind == nil {
            errors.append(.init(field: "transfer_kind", detail: "is required for a transfer (domestic, import or export)"))
        }
        if event.transferKind == .domestic && event.counterpartHolderID == nil {
            errors.append(.init(field: "counterpart_holder_id", detail: "is required for a domestic transfer: the new holder"))
        }
        if event.kind != .transferred && event.transferKind != nil {
            errors.append(.init(field: "transfer_kind", detail: "applies only to transfers"))
        }
        if event.transferKind == .export || event.transferKind == .import, event.counterpartCountry == nil {
            errors.append(.init(field: "counterpart_country", detail: "is required for an import or export"))
        }
        if let country = event.counterpartCountry, !Country.isValid(country) {
            errors.append(.init(field: "counterpart_country", detail: "must be an ISO 3166-1 alpha-2 code in upper case"))
        }
        for (value, field, max) in [(event.place, "place", 300), (event.agency, "agency", 200), (event.documentRef, "document_ref", 200),
                                    (event.permitNumber, "permit_number", 100), (event.notes, "notes", 4000)] {
            if let value, value.count > max { errors.append(.init(field: field, detail: "must be at most \(max) characters")) }
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
    }

    static func parseDate(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1800...9999).contains(y) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: y, month: m, day: d)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    public func events(firearmID: UUID, by principal: Principal, requestID: String?) async throws -> [FirearmEvent] {
        let (exists, events) = try await database.withConnection { connection in
            (try await FirearmStore.find(id: firearmID, on: connection) != nil, try await EventStore.list(firearmID: firearmID, on: connection))
        }
        guard exists else { throw Problem.notFound("no firearm \(firearmID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "firearm.events", recordType: "firearm",
                                          recordID: firearmID.uuidString, requestID: requestID))
        return events
    }

    // MARK: - Holders

    public func createHolder(_ new: NewHolder, by principal: Principal, requestID: String?) async throws -> Holder {
        try await database.transaction { connection in
            let holder = try await HolderStore.insert(new, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "holder.create", recordType: "holder",
                                                 recordID: holder.id.uuidString, requestID: requestID,
                                                 detail: Self.detail(["reference": holder.reference])), on: connection)
            return holder
        }
    }

    public func holder(id: UUID, by principal: Principal, requestID: String?) async throws -> Holder {
        guard let holder = try await database.withConnection({ try await HolderStore.find(id: id, on: $0) }) else {
            throw Problem.notFound("no holder \(id.uuidString.lowercased())")
        }
        try await audit.record(AuditEntry(principal: principal, action: "holder.read", recordType: "holder",
                                          recordID: id.uuidString, requestID: requestID))
        return holder
    }

    func holders(name: String?, idNumber: String?, page: PageRequest, by principal: Principal, requestID: String?) async throws -> Page<Holder> {
        let result = try await database.withConnection { try await HolderStore.list(name: name, idNumber: idNumber, page: page, on: $0) }
        try await recordReads(result.items.map(\.id), action: "holder.list", recordType: "holder", by: principal, requestID: requestID)
        return result
    }

    /// A small JSON object for an entry's detail, with values escaped by the encoder.
    static func detail(_ values: [String: String]) -> String {
        (try? String(decoding: JSONBody.encoder.encode(values), as: UTF8.self)) ?? "{}"
    }
}
