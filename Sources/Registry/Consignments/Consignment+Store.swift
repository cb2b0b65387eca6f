import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The consignments table and its history.
enum ConsignmentStore {
    static let history = RecordHistory(table: "consignment_versions", key: "consignment_id")
    static let columns = """
        id, reference, direction, shipped_on::text, cross_border::text, quantity, firearm_ids, delivery_verified_on::text,
        delivery_document, notes, version, created_at, updated_at, counterpart_country
        """

    static func decode(_ row: PostgresRow) throws -> Consignment {
        let c = row.makeRandomAccess()
        let crossBorder = try JSONCoding.decoder.decode(CrossBorder.self, from: Data(try c[4].decode(String.self).utf8))
        return Consignment(id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self),
                           direction: TransferKind(rawValue: try c[2].decode(String.self)) ?? .export,
                           shippedOn: try CalendarDate.decode(c[3]), counterpartCountry: try Country.decode(c[13]),
                           crossBorder: crossBorder, quantity: try c[5].decode(Int.self), firearmIDs: try c[6].decode([UUID].self),
                           deliveryVerifiedOn: try CalendarDate.decodeIfPresent(c[7]), deliveryDocument: try c[8].decode(String?.self),
                           notes: try c[9].decode(String?.self), version: try c[10].decode(Int.self),
                           createdAt: try c[11].decode(Date.self), updatedAt: try c[12].decode(Date.self))
    }

    static func insert(_ new: NewConsignment, crossBorder: CrossBorder, now: Date, on connection: PostgresConnection) async throws -> Consignment {
        let json = String(decoding: try JSONCoding.encoder.encode(crossBorder), as: UTF8.self)
        let rows = try await connection.query("""
            INSERT INTO consignments (id, reference, direction, shipped_on, counterpart_country, cross_border, quantity, firearm_ids, notes)
            VALUES (\(UUID()), \(unescaped: Registry.consignmentReferences.sqlExpression(at: now)), \(new.direction.rawValue),
                    \(new.shippedOn.text)::date, \(new.counterpartCountry.code), \(json)::jsonb, \(new.quantity ?? new.firearmIDs.count), \(new.firearmIDs)::uuid[], \(new.notes))
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.internal(requestID: nil)
    }

    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Consignment? {
        let rows = forUpdate
            ? try await connection.query("SELECT \(unescaped: columns) FROM consignments WHERE id = \(id) FOR UPDATE", logger: FirearmStore.logger)
            : try await connection.query("SELECT \(unescaped: columns) FROM consignments WHERE id = \(id)", logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func verifyDelivery(id: UUID, _ verification: DeliveryVerification, on connection: PostgresConnection) async throws -> Consignment {
        let rows = try await connection.query("""
            UPDATE consignments SET delivery_verified_on = \(verification.verifiedOn.text)::date, delivery_document = \(verification.document),
                version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            RETURNING \(unescaped: columns)
            """, logger: FirearmStore.logger)
        for try await row in rows { return try decode(row) }
        throw Problem.notFound("no consignment \(id.uuidString.lowercased())")
    }
}
