import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// The exhibit_transfers and exhibit_custody tables, and the custody columns of exhibits.
enum CustodyStore {
    static let logger = AuditWriter.quietLogger
    static let transferColumns = """
        id, exhibit_id, from_kind, from_party, sent_by, to_kind, to_party, purpose, seal_number, seal_intact, status, sent_at,
        received_by, received_at, seal_intact_on_receipt, condition, remarks, receipt_sha256, receipt_reference, cancelled_by,
        cancelled_at, cancel_reason
        """

    static func decodeTransfer(_ row: PostgresRow) throws -> Transfer {
        let c = row.makeRandomAccess()
        return Transfer(
            id: try c[0].decode(UUID.self), exhibitID: try c[1].decode(UUID.self),
            fromKind: CustodianKind(rawValue: try c[2].decode(String.self)) ?? .user, from: try c[3].decode(String.self),
            sentBy: try c[4].decode(String.self), toKind: CustodianKind(rawValue: try c[5].decode(String.self)) ?? .user,
            to: try c[6].decode(String.self), purpose: try c[7].decode(String.self), sealNumber: try c[8].decode(String?.self),
            sealIntact: try c[9].decode(Bool.self), status: TransferStatus(rawValue: try c[10].decode(String.self)) ?? .inTransit,
            sentAt: try c[11].decode(Date.self), receivedBy: try c[12].decode(String?.self), receivedAt: try c[13].decode(Date?.self),
            sealIntactOnReceipt: try c[14].decode(Bool?.self), condition: try c[15].decode(String?.self),
            remarks: try c[16].decode(String?.self), receiptSHA256: try c[17].decode(String?.self),
            receiptReference: try c[18].decode(String?.self), cancelledBy: try c[19].decode(String?.self),
            cancelledAt: try c[20].decode(Date?.self), cancelReason: try c[21].decode(String?.self))
    }

    static func insertTransfer(id: UUID, exhibit: Exhibit, _ t: NewTransfer, sentBy: String, at: Date,
                               on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO exhibit_transfers (id, exhibit_id, from_kind, from_party, sent_by, to_kind, to_party, purpose, seal_number,
                                           seal_intact, sent_at)
            VALUES (\(id), \(exhibit.id), \(exhibit.custodianKind.rawValue), \(exhibit.custodian), \(sentBy), \(t.to.kind.rawValue),
                    \(t.to.name), \(t.purpose), \(t.sealNumber), \(t.sealIntact), \(at))
            """, logger: logger)
    }

    static func findTransfer(id: UUID, exhibitID: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Transfer? {
        let rows = forUpdate
            ? try await connection.query("""
                SELECT \(unescaped: transferColumns) FROM exhibit_transfers WHERE id = \(id) AND exhibit_id = \(exhibitID) FOR UPDATE
                """, logger: logger)
            : try await connection.query("""
                SELECT \(unescaped: transferColumns) FROM exhibit_transfers WHERE id = \(id) AND exhibit_id = \(exhibitID)
                """, logger: logger)
        for try await row in rows { return try decodeTransfer(row) }
        return nil
    }

    static func openTransfer(exhibitID: UUID, on connection: PostgresConnection) async throws -> Transfer? {
        let rows = try await connection.query("""
            SELECT \(unescaped: transferColumns) FROM exhibit_transfers WHERE exhibit_id = \(exhibitID) AND status = 'in_transit'
            """, logger: logger)
        for try await row in rows { return try decodeTransfer(row) }
        return nil
    }

    static func receive(transferID: UUID, by receiver: String, at: Date, _ r: NewReceipt, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE exhibit_transfers SET status = 'received', received_by = \(receiver), received_at = \(at),
                seal_intact_on_receipt = \(r.sealIntact), condition = \(r.condition), remarks = \(r.remarks),
                receipt_sha256 = \(r.receiptSHA256), receipt_reference = \(r.receiptReference)
            WHERE id = \(transferID) AND status = 'in_transit'
            """, logger: logger)
    }

    static func cancel(transferID: UUID, by sender: String, at: Date, reason: String?, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE exhibit_transfers SET status = 'cancelled', cancelled_by = \(sender), cancelled_at = \(at), cancel_reason = \(reason)
            WHERE id = \(transferID) AND status = 'in_transit'
            """, logger: logger)
    }

    /// The exhibit's custody columns after an entry: who holds it, its status, seal, location.
    static func setCustody(exhibitID: UUID, kind: CustodianKind, custodian: String, status: ExhibitStatus, sealNumber: String?,
                           storageLocation: String?, sealBroken: Bool, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE exhibits SET custodian_kind = \(kind.rawValue), custodian = \(custodian), status = \(status.rawValue),
                seal_number = \(sealNumber), storage_location = \(storageLocation), seal_broken = seal_broken OR \(sealBroken),
                version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(exhibitID)
            """, logger: logger)
    }

    static func dispose(exhibitID: UUID, _ d: NewDisposition, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE exhibits SET status = 'disposed', disposition = \(d.kind.rawValue), disposition_authority = \(d.authority),
                disposed_on = \(d.date.text)::date, version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(exhibitID)
            """, logger: logger)
    }

    static let entryColumns = """
        seq, previous_seq, event, transfer_id, recorded_by, custodian_kind, custodian, seal_number, seal_intact, detail::text, at
        """

    static func decodeEntry(_ row: PostgresRow) throws -> CustodyEntry {
        let c = row.makeRandomAccess()
        let detail = try c[9].decode(String.self)
        return CustodyEntry(
            seq: try c[0].decode(Int.self), previousSeq: try c[1].decode(Int?.self),
            event: CustodyEvent(rawValue: try c[2].decode(String.self)) ?? .intake, transferID: try c[3].decode(UUID?.self),
            recordedBy: try c[4].decode(String.self), custodianKind: CustodianKind(rawValue: try c[5].decode(String.self)) ?? .user,
            custodian: try c[6].decode(String.self), sealNumber: try c[7].decode(String?.self), sealIntact: try c[8].decode(Bool?.self),
            detail: (try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8))) ?? [:], at: try c[10].decode(Date.self))
    }

    /// Appends the next entry of the exhibit's chain: its number is the last one's plus one and it
    /// names that one. The caller holds the exhibit's row lock; should another writer get there
    /// first anyway, the primary key refuses the second entry n (23505): the chain never forks.
    static func append(exhibitID: UUID, event: CustodyEvent, transferID: UUID?, recordedBy: String, custodianKind: CustodianKind,
                       custodian: String, sealNumber: String?, sealIntact: Bool?, detail: [String: String], at: Date,
                       on connection: PostgresConnection) async throws {
        let json = String(decoding: try JSONEncoder().encode(detail), as: UTF8.self)
        try await connection.query("""
            INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, transfer_id, recorded_by, custodian_kind, custodian,
                                         seal_number, seal_intact, detail, at)
            SELECT \(exhibitID), coalesce(max(seq), 0) + 1, max(seq), \(event.rawValue), \(transferID), \(recordedBy),
                   \(custodianKind.rawValue), \(custodian), \(sealNumber), \(sealIntact), \(json)::jsonb, \(at)
            FROM exhibit_custody WHERE exhibit_id = \(exhibitID)
            """, logger: logger)
    }

    static func entries(exhibitID: UUID, on connection: PostgresConnection) async throws -> [CustodyEntry] {
        let rows = try await connection.query("""
            SELECT \(unescaped: entryColumns) FROM exhibit_custody WHERE exhibit_id = \(exhibitID) ORDER BY seq
            """, logger: logger)
        var entries: [CustodyEntry] = []
        for try await row in rows { entries.append(try decodeEntry(row)) }
        return entries
    }
}
