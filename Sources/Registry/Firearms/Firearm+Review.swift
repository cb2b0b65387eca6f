import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO
import RegistryAPI

/// A record as the API shows it with its review flags (`review_flags`: why its make, model, type
/// or calibre does not match the reference table; empty when it does), and, in the answer to a
/// registration or correction, the `warnings` that explain them.
public struct Flagged<Record: Sendable & Encodable>: Sendable, Encodable {
    public var record: Record
    public var reviewFlags: [ReviewFlag]
    /// Only in the answer to a write; reads leave the member out.
    public var warnings: [ReviewWarning]?

    enum CodingKeys: String, CodingKey {
        case reviewFlags = "review_flags", warnings
    }

    // The record's own members and the review's, in one object (as FirearmDetail does).
    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reviewFlags, forKey: .reviewFlags)
        if let warnings { try c.encode(warnings, forKey: .warnings) }
    }
}

extension Page {
    /// The same page (and cursor) with each item transformed.
    func mapItems<T: Sendable & Encodable>(_ transform: (Item) -> T) -> Page<T> {
        var page = Page<T>(fetched: items.map(transform), limit: items.count, key: { _ in [] })
        page.nextCursor = nextCursor
        return page
    }

    /// The same page (and cursor) with `items` in place of its own, one for one.
    func replacingItems<T: Sendable & Encodable>(_ items: [T]) -> Page<T> {
        precondition(items.count == self.items.count, "a page's items are replaced one for one")
        var page = Page<T>(fetched: items, limit: items.count, key: { _ in [] })
        page.nextCursor = nextCursor
        return page
    }
}

/// The firearms' `review_flags` column (Schema 0011). The flags follow from the description, so
/// they are written with it, in the same transaction, and need no version of their own.
enum FirearmReviewStore {
    static func setFlags(_ flags: [ReviewFlag], id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE firearms SET review_flags = \(flags.map(\.rawValue)) WHERE id = \(id)", logger: FirearmStore.logger)
    }

    static func flags(of ids: [UUID], on connection: PostgresConnection) async throws -> [UUID: [ReviewFlag]] {
        guard !ids.isEmpty else { return [:] }
        var flags: [UUID: [ReviewFlag]] = [:]
        let rows = try await connection.query("SELECT id, review_flags FROM firearms WHERE id = ANY(\(ids))", logger: FirearmStore.logger)
        for try await (id, raw) in rows.decode((UUID, [String]).self) {
            flags[id] = raw.compactMap(ReviewFlag.init(rawValue:))
        }
        return flags
    }
}

extension Registry {
    /// What the reference table makes of a description.
    func reviewWarnings(_ description: FirearmDescription) -> [ReviewWarning] {
        settings.makesModels.warnings(for: description)
    }

    /// The flags of `warnings`, each once, in the table's order.
    static func flags(_ warnings: [ReviewWarning]) -> [ReviewFlag] {
        ReviewFlag.allCases.filter { flag in warnings.contains { $0.flag == flag } }
    }

    /// A page of firearms with their flags; `needsReview` keeps only those flagged (or not).
    func reviewedList(_ filter: FirearmStore.ListFilter, needsReview: Bool?, page: PageRequest, query: [String: String],
                      by principal: Principal, requestID: String?) async throws -> Page<Flagged<Firearm>> {
        var filter = filter
        filter.needsReview = needsReview
        let page = try await database.withConnection { [filter] connection in
            if let serial = filter.onlySerial { return try await FirearmStore.withSerialFlagged(serial, page: page, on: connection) }
            let result = try await FirearmStore.list(filter, page: page, on: connection)
            let flags = try await FirearmReviewStore.flags(of: result.items.map(\.id), on: connection)
            return result.mapItems { Flagged(record: $0, reviewFlags: flags[$0.id] ?? []) }
        }
        try await audit.recordReads(of: page.items.map(\.record.id), action: "firearm.list", recordType: "firearm", by: principal,
                                    requestID: requestID, query: query)
        let shown = try await disclosed(page.items.map(\.record), to: principal)
        return page.replacingItems(zip(page.items, shown).map { Flagged(record: $1, reviewFlags: $0.reviewFlags, warnings: $0.warnings) })
    }

    /// `GET /v1/firearms/{id}`: the firearm, its licences and its flags.
    func reviewedDetail(id: UUID, by principal: Principal, requestID: String?) async throws -> Flagged<FirearmDetail> {
        try await firearmDetail(id: id, by: principal, requestID: requestID)
    }
}

extension Registry {
    /// How a version's change note names its flags: "registered; for review: unknown_model".
    static func reviewNote(_ flags: [ReviewFlag]) -> String {
        flags.isEmpty ? "" : "; for review: " + flags.map(\.rawValue).joined(separator: ", ")
    }
}

extension Registry {
    /// The firearm as answers that carry its review show it (`Firearm` stays the record as its
    /// versions and the other routes show it).
    static func reviewSchemas(firearm: [String: JSONValue], required: [String]) -> [String: JSONValue] {
        var flagged = firearm
        flagged["review_flags"] = Schema.array(Schema.ref("ReviewFlag"))
        var reviewed = flagged
        reviewed["warnings"] = Schema.array(Schema.ref("ReviewWarning"))
        var detail = flagged
        detail["licences"] = Schema.array(Schema.ref("Licence"))
        detail["components"] = Schema.array(Schema.ref("Component"))
        return [
            "ReviewFlag": Schema.enumeration(ReviewFlag.allCases.map(\.rawValue)),
            "ReviewWarning": Schema.object(["field": Schema.string, "text": Schema.string, "flag": Schema.ref("ReviewFlag")],
                                           required: ["field", "text", "flag"]),
            "FlaggedFirearm": Schema.object(flagged, required: required + ["review_flags"]),
            "FlaggedFirearmPage": Schema.page(of: Schema.ref("FlaggedFirearm")),
            "FlaggedFirearmDetail": Schema.object(detail, required: required + ["review_flags", "licences", "components"]),
            "ReviewedFirearm": Schema.object(reviewed, required: required + ["review_flags", "warnings"]),
        ]
    }
}
