import Foundation
import ExhibitsAPI
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

    static func decodeTransfer(_ row: PostgresRow) throws -> Transfer { try decodeTransfer(row.makeRandomAccess()) }

    /// The transfer from `transferColumns`' 22 cells, starting at cell `at`.
    static func decodeTransfer(_ c: PostgresRandomAccessRow, at o: Int = 0) throws -> Transfer {
        Transfer(
            id: try c[o + 0].decode(UUID.self), exhibitID: try c[o + 1].decode(UUID.self),
            fromKind: CustodianKind(rawValue: try c[o + 2].decode(String.self)) ?? .user, from: try c[o + 3].decode(String.self),
            sentBy: try c[o + 4].decode(String.self), toKind: CustodianKind(rawValue: try c[o + 5].decode(String.self)) ?? .user,
            to: try c[o + 6].decode(String.self), purpose: try c[o + 7].decode(String.self), sealNumber: try c[o + 8].decode(String?.self),
            sealIntact: try c[o + 9].decode(Bool.self), status: TransferStatus(rawValue: try c[o + 10].decode(String.self)) ?? .inTransit,
            sentAt: try c[o + 11].decode(Date.self), receivedBy: try c[o + 12].decode(String?.self), receivedAt: try c[o + 13].decode(Date?.self),
            sealIntactOnReceipt: try c[o + 14].decode(Bool?.self), condition: try c[o + 15].decode(String?.self),
            remarks: try c[o + 16].decode(String?.self), receiptSHA256: try c[o + 17].decode(String?.self),
            receiptReference: try c[o + 18].decode(String?.self), cancelledBy: try c[o + 19].decode(String?.self),
            cancelledAt: try c[o + 20].decode(Date?.self), cancelReason: try c[o + 21].decode(String?.self))
    }

    static let transferColumnCount = 22

    /// The exhibit and its transfer locked (`FOR UPDATE`, the exhibit first as every custody step
    /// locks it) for a receipt or a cancellation, with the database's clock once both are held.
    struct LockTransfer: PostgresPreparedStatement {
        static let sql = """
            SELECT l.*, date_trunc('milliseconds', clock_timestamp())
            FROM (SELECT \(ExhibitStore.columns), \(transferColumns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
                  FROM exhibits e JOIN exhibit_transfers t ON t.exhibit_id = e.id
                  WHERE e.id = $1::uuid AND t.id = $2::uuid FOR UPDATE) l
            """
        var exhibitID: UUID
        var transferID: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(exhibitID)
            bindings.append(transferID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (Exhibit, Transfer, Date) {
            let c = row.makeRandomAccess()
            return (try ExhibitStore.decode(c), try CustodyStore.decodeTransfer(c, at: ExhibitStore.columnCount),
                    try c[ExhibitStore.columnCount + transferColumnCount].decode(Date.self))
        }
    }

    static func openTransfer(exhibitID: UUID, on connection: PostgresConnection) async throws -> Transfer? {
        let rows = try await connection.query("""
            SELECT \(unescaped: transferColumns) FROM exhibit_transfers WHERE exhibit_id = \(exhibitID) AND status = 'in_transit'
            """, logger: logger)
        for try await row in rows { return try decodeTransfer(row) }
        return nil
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
