import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO

/// A licence as the API shows it, with its effective status on the day it is read: a licence
/// past its end date reads `expired` even though nobody changed it.
public struct Licence: Sendable, Encodable {
    public var id: UUID
    public var number: String
    public var holderID: UUID
    public var kind: String
    public var issuingAuthority: String
    public var validFrom: String
    public var validUntil: String
    public var status: String
    public var statusReason: String?
    public var effectiveStatus: String
    public var firearmIDs: [UUID]
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public static let kinds = ["possession", "carry", "dealer", "manufacturer", "collector", "security", "other"]

    enum CodingKeys: String, CodingKey {
        case id, number, kind, status, version
        case holderID = "holder_id", issuingAuthority = "issuing_authority", validFrom = "valid_from", validUntil = "valid_until"
        case statusReason = "status_reason", effectiveStatus = "effective_status", firearmIDs = "firearm_ids"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(number, forKey: .number)
        try c.encode(holderID, forKey: .holderID)
        try c.encode(kind, forKey: .kind)
        try c.encode(issuingAuthority, forKey: .issuingAuthority)
        try c.encode(validFrom, forKey: .validFrom)
        try c.encode(validUntil, forKey: .validUntil)
        try c.encode(status, forKey: .status)
        try c.encode(statusReason, forKey: .statusReason)
        try c.encode(effectiveStatus, forKey: .effectiveStatus)
        try c.encode(firearmIDs.map { $0.uuidString.lowercased() }, forKey: .firearmIDs)
        try c.encode(version, forKey: .version)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// A firearm with the licences that cover it, as `GET /v1/firearms/{id}` answers.
struct FirearmDetail: Encodable {
    var firearm: Firearm
    var licences: [Licence]

    enum CodingKeys: String, CodingKey { case licences }

    func encode(to encoder: any Encoder) throws {
        try firearm.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(licences, forKey: .licences)
    }
}

public struct NewLicence: Sendable {
    public var holderID: UUID
    public var number: String
    public var kind: String
    public var issuingAuthority: String
    public var validFrom: String
    public var validUntil: String
    public var firearmIDs: [UUID]
}

enum LicenceStore {
    static let columnList = """
        l.id, l.number, l.holder_id, l.kind, l.issuing_authority, l.valid_from::text, l.valid_until::text, l.status, l.status_reason,
        coalesce((SELECT array_agg(lf.firearm_id ORDER BY lf.added_at, lf.firearm_id) FROM licence_firearms lf WHERE lf.licence_id = l.id), '{}'),
        l.version, l.created_at, l.updated_at
        """

        /// The status on `today` (YYYY-MM-DD, which compares as text): revoked and suspended as
    /// set, else expired after the end date, not yet valid before the start, else valid.
    static func effectiveStatus(status: String, from: String, until: String, today: String) -> String {
        if status != "active" { return status }
        if until < today { return "expired" }
        if from > today { return "not_yet_valid" }
        return "valid"
    }

    static func decode(_ row: PostgresRow, today: String) throws -> Licence {
        let c = row.makeRandomAccess()
        let status = try c[7].decode(String.self), from = try c[5].decode(String.self), until = try c[6].decode(String.self)
        return Licence(id: try c[0].decode(UUID.self), number: try c[1].decode(String.self), holderID: try c[2].decode(UUID.self),
                       kind: try c[3].decode(String.self), issuingAuthority: try c[4].decode(String.self),
                       validFrom: from, validUntil: until, status: status, statusReason: try c[8].decode(String?.self),
                       effectiveStatus: effectiveStatus(status: status, from: from, until: until, today: today),
                       firearmIDs: try c[9].decode([UUID].self), version: try c[10].decode(Int.self),
                       createdAt: try c[11].decode(Date.self), updatedAt: try c[12].decode(Date.self))
    }

    static func find(id: UUID, today: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Licence? {
        let rows = try await connection.query("""
            SELECT \(unescaped: columnList) FROM licences l WHERE l.id = \(id) \(unescaped: forUpdate ? "FOR UPDATE OF l" : "")
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row, today: today) }
        return nil
    }

    static func covering(firearmID: UUID, today: String, on connection: PostgresConnection) async throws -> [Licence] {
        let rows = try await connection.query("""
            SELECT \(unescaped: columnList) FROM licences l
            WHERE l.id IN (SELECT licence_id FROM licence_firearms WHERE firearm_id = \(firearmID))
            ORDER BY l.valid_until DESC, l.id
            """, logger: FirearmStore.logger)
        var licences: [Licence] = []
        for try await row in rows { licences.append(try decode(row, today: today)) }
        return licences
    }

    static func list(holderID: UUID?, page: PageRequest, today: String, on connection: PostgresConnection) async throws -> Page<Licence> {
        let after = page.after?[0]
        let rows = try await connection.query("""
            SELECT \(unescaped: columnList) FROM licences l
            WHERE (\(after)::text IS NULL OR l.number > \(after))
              AND (\(holderID)::uuid IS NULL OR l.holder_id = \(holderID))
            ORDER BY l.number
            LIMIT \(page.limit + 1)
            """, logger: FirearmStore.logger)
        var items: [Licence] = []
        for try await row in rows { items.append(try decode(row, today: today)) }
        return Page(fetched: items, limit: page.limit, key: { [$0.number] })
    }
}

extension Registry {
    /// Today's date (UTC) by the app's clock, as SQL compares it; a fixed format, never input.
    var today: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: environment.now())
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    public func issueLicence(_ new: NewLicence, by principal: Principal, requestID: String?) async throws -> Licence {
        var errors: [Problem.FieldError] = []
        if new.number.trimmingCharacters(in: .whitespaces).isEmpty || new.number.count > 100 {
            errors.append(.init(field: "number", detail: "must be 1 to 100 characters"))
        }
        if !Licence.kinds.contains(new.kind) { errors.append(.init(field: "kind", detail: "must be one of \(Licence.kinds.joined(separator: ", "))")) }
        if new.issuingAuthority.trimmingCharacters(in: .whitespaces).isEmpty || new.issuingAuthority.count > 200 {
            errors.append(.init(field: "issuing_authority", detail: "must be 1 to 200 characters"))
        }
        let from = Self.parseDate(new.validFrom), until = Self.parseDate(new.validUntil)
        if from == nil { errors.append(.init(field: "valid_from", detail: "must be a date such as 2026-03-14")) }
        if until == nil { errors.append(.init(field: "valid_until", detail: "must be a date such as 2031-03-13")) }
        if let from, let until, until < from { errors.append(.init(field: "valid_until", detail: "is before valid_from")) }
        if new.firearmIDs.count > 500 { errors.append(.init(field: "firearm_ids", detail: "must name at most 500 firearms")) }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let today = self.today
        do {
            return try await database.transaction { connection in
                guard try await HolderStore.find(id: new.holderID, on: connection) != nil else {
                    throw Problem.invalid("holder_id", "no holder has this id")
                }
                for (index, firearmID) in new.firearmIDs.enumerated() where try await FirearmStore.find(id: firearmID, on: connection) == nil {
                    throw Problem.invalid("firearm_ids[\(index)]", "no firearm has this id")
                }
                let id = UUID()
                try await connection.query("""
                    INSERT INTO licences (id, number, holder_id, kind, issuing_authority, valid_from, valid_until)
                    VALUES (\(id), \(new.number), \(new.holderID), \(new.kind), \(new.issuingAuthority), \(new.validFrom)::date, \(new.validUntil)::date)
                    """, logger: FirearmStore.logger)
                for firearmID in Set(new.firearmIDs) {
                    try await connection.query("INSERT INTO licence_firearms (licence_id, firearm_id) VALUES (\(id), \(firearmID))",
                                               logger: FirearmStore.logger)
                }
                guard let licence = try await LicenceStore.find(id: id, today: today, on: connection) else { throw Problem.internal(requestID: requestID) }
                try await AuditLog.append(AuditEntry(principal: principal, action: "licence.create", recordType: "licence",
                                                     recordID: id.uuidString, requestID: requestID,
                                                     detail: Self.detail(["number": new.number, "firearms": "\(new.firearmIDs.count)"])), on: connection)
                return licence
            }
        } catch let error as StoreError where error.sqlState == "23505" {
            throw Problem.conflict("a licence numbered \(new.number) exists already", slug: "duplicate-licence")
        }
    }

    /// Revokes, suspends or reinstates a licence, or changes its end date, at the version read.
    public func changeLicence(id: UUID, expectedVersion: Int, status: String?, reason: String?, validUntil: String?,
                              by principal: Principal, requestID: String?) async throws -> Licence {
        var errors: [Problem.FieldError] = []
        if let status, !["active", "suspended", "revoked"].contains(status) {
            errors.append(.init(field: "status", detail: "must be active, suspended or revoked"))
        }
        if status == nil && validUntil == nil { errors.append(.init(field: "body", detail: "names no change")) }
        if let validUntil, Self.parseDate(validUntil) == nil { errors.append(.init(field: "valid_until", detail: "must be a date such as 2031-03-13")) }
        if let reason, reason.count > 1000 { errors.append(.init(field: "status_reason", detail: "must be at most 1000 characters")) }
        if (status == "revoked" || status == "suspended") && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(.init(field: "status_reason", detail: "is required to revoke or suspend a licence"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let today = self.today
        return try await database.transaction { connection in
            guard let current = try await LicenceStore.find(id: id, today: today, forUpdate: true, on: connection) else {
                throw Problem.notFound("no licence \(id.uuidString.lowercased())")
            }
            try ETag.check(expected: expectedVersion, current: current.version, record: "licence \(current.number)")
            if current.status == "revoked" && status != nil && status != "revoked" {
                throw Problem.conflict("a revoked licence stays revoked; issue a new one", slug: "licence-revoked")
            }
            if let validUntil, validUntil < current.validFrom {
                throw Problem.invalid("valid_until", "is before valid_from (\(current.validFrom))")
            }
            try await connection.query("""
                UPDATE licences SET status = coalesce(\(status), status),
                    status_reason = CASE WHEN \(status)::text IS NULL THEN coalesce(\(reason), status_reason) ELSE \(reason) END,
                    valid_until = coalesce(\(validUntil)::date, valid_until), version = version + 1,
                    updated_at = date_trunc('milliseconds', clock_timestamp())
                WHERE id = \(id)
                """, logger: FirearmStore.logger)
            guard let licence = try await LicenceStore.find(id: id, today: today, on: connection) else { throw Problem.internal(requestID: requestID) }
            try await AuditLog.append(AuditEntry(principal: principal, action: "licence.update", recordType: "licence",
                                                 recordID: id.uuidString, requestID: requestID,
                                                 detail: Self.detail(["status": licence.status, "valid_until": licence.validUntil])), on: connection)
            return licence
        }
    }

    public func licence(id: UUID, by principal: Principal, requestID: String?) async throws -> Licence {
        let today = self.today
        guard let licence = try await database.withConnection({ try await LicenceStore.find(id: id, today: today, on: $0) }) else {
            throw Problem.notFound("no licence \(id.uuidString.lowercased())")
        }
        try await audit.record(AuditEntry(principal: principal, action: "licence.read", recordType: "licence",
                                          recordID: id.uuidString, requestID: requestID))
        return licence
    }

    func licences(holderID: UUID?, page: PageRequest, by principal: Principal, requestID: String?) async throws -> Page<Licence> {
        let today = self.today
        let result = try await database.withConnection { try await LicenceStore.list(holderID: holderID, page: page, today: today, on: $0) }
        try await recordReads(result.items.map(\.id), action: "licence.list", recordType: "licence", by: principal, requestID: requestID)
        return result
    }

    /// The firearm with the licences covering it (their effective status included).
    func firearmDetail(id: UUID, by principal: Principal, requestID: String?) async throws -> FirearmDetail {
        let today = self.today
        let (firearm, licences) = try await database.withConnection { connection in
            (try await FirearmStore.find(id: id, on: connection), try await LicenceStore.covering(firearmID: id, today: today, on: connection))
        }
        guard let firearm else { throw Problem.notFound("no firearm \(id.uuidString.lowercased())") }
        try await audit.record([AuditEntry(principal: principal, action: "firearm.read", recordType: "firearm",
                                           recordID: id.uuidString, requestID: requestID)]
            + licences.map { AuditEntry(principal: principal, action: "licence.read", recordType: "licence",
                                        recordID: $0.id.uuidString, requestID: requestID) })
        return FirearmDetail(firearm: firearm, licences: licences)
    }
}

struct LicenceBody: StrictBody {
    var holderID: UUID
    var number: String
    var kind: String
    var issuingAuthority: String
    var validFrom: String
    var validUntil: String
    var firearmIDs: [UUID]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case number, kind
        case holderID = "holder_id", issuingAuthority = "issuing_authority", validFrom = "valid_from", validUntil = "valid_until"
        case firearmIDs = "firearm_ids"
    }

    var licence: NewLicence {
        NewLicence(holderID: holderID, number: number, kind: kind, issuingAuthority: issuingAuthority, validFrom: validFrom,
                   validUntil: validUntil, firearmIDs: firearmIDs ?? [])
    }
}

struct LicenceChangeBody: StrictBody {
    var status: String?
    var statusReason: String?
    var validUntil: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status
        case statusReason = "status_reason", validUntil = "valid_until"
    }
}
