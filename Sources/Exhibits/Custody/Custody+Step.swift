import Foundation
import ExhibitsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// A custody step's writes in one prepared statement, after the statement that locked the
/// exhibit (and the transfer) and checked the step: the transfer's insert or settlement, the next
/// chain entry, the exhibit's custody columns, its new version and the audit entry, as the CTEs of
/// one statement. Ten to eleven round trips a step before (two re-reads among them), four now:
/// BEGIN, the lock, this, COMMIT.
///
/// Each runs after the lock, so its snapshot sees every earlier step of the exhibit: the chain's
/// next number is read as before, and the primary key still refuses a second entry n. A send's
/// exhibit update waits for the transfer's insert (it reads `t`): the insert's trigger checks that
/// the sender holds the exhibit, which it does only until the update puts it in transit.
///
/// The version kept is the exhibit as the caller expects it after the step, encoded in Swift as
/// before; the statement answers the row as it became, and the caller refuses (rolls back) a step
/// whose row differs from what the version says. So that the version can be encoded before the
/// update, `updated_at` is the database clock the lock statement read once the lock was held,
/// bound back in milliseconds (exact: a bound Date can lose a microsecond).
enum CustodyStep {
    enum Kind: Sendable {
        case send, receive, cancel, reseal, dispose
    }

    /// The chain entry the step appends.
    struct Entry: Sendable {
        var event: CustodyEvent
        var transferID: UUID?
        var recordedBy: String
        var custodianKind: CustodianKind
        var custodian: String
        var sealNumber: String?
        var sealIntact: Bool?
        var detail: [String: String]
        var at: Date
    }

    // Parameters: $1 exhibit, $2 updated_at (ms since 1970), $3…$11 the chain entry, $12…$14 the
    // version, $15…$23 the audit entry, $24… the exhibit's new columns, then the transfer's.
    static let entryCTE = """
        c AS (INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, transfer_id, recorded_by, custodian_kind, custodian,
                                           seal_number, seal_intact, detail, at)
              SELECT $1::uuid, coalesce(max(seq), 0) + 1, max(seq), $3::text, $4::uuid, $5::text, $6::text, $7::text, $8::text, $9::boolean,
                     $10::text::jsonb, $11::timestamptz
              FROM exhibit_custody WHERE exhibit_id = $1::uuid)
        """
    static let versionCTE = """
        v AS (INSERT INTO exhibit_versions (exhibit_id, version, record, change, changed_by)
              SELECT $1::uuid, x.version, $12::text::jsonb, $13::text, $14::text FROM x)
        """
    static let auditCTE = "a AS (\(AuditLog.insertSQL(parametersFrom: 15)))"
    static let updatedAt = "'epoch'::timestamptz + $2::bigint * interval '1 millisecond'"

    /// Who holds it, its status, seal, location: $24…$29. A send's update waits for the transfer's insert.
    static func custodyUpdate(after: String?) -> String {
        """
        x AS (UPDATE exhibits e SET custodian_kind = $24::text, custodian = $25::text, status = $26::text, seal_number = $27::text,
                  storage_location = $28::text, seal_broken = e.seal_broken OR $29::boolean, version = e.version + 1,
                  updated_at = \(updatedAt)
              WHERE e.id = $1::uuid\(after.map { " AND EXISTS (SELECT 1 FROM \($0))" } ?? "")
              RETURNING \(ExhibitStore.columns))
        """
    }

    /// The disposition, its authority and date: $24…$26.
    static let disposeUpdate = """
        x AS (UPDATE exhibits e SET status = 'disposed', disposition = $24::text, disposition_authority = $25::text,
                  disposed_on = $26::text::date, version = e.version + 1, updated_at = \(updatedAt)
              WHERE e.id = $1::uuid
              RETURNING \(ExhibitStore.columns))
        """

    /// The transfer, its id the chain entry's ($4): $30…$37.
    static let sendTransfer = """
        t AS (INSERT INTO exhibit_transfers (id, exhibit_id, from_kind, from_party, sent_by, to_kind, to_party, purpose, seal_number,
                                             seal_intact, sent_at)
              VALUES ($4::uuid, $1::uuid, $30::text, $31::text, $32::text, $33::text, $34::text, $35::text, $36::text, $37::boolean,
                      $11::timestamptz)
              RETURNING \(CustodyStore.transferColumns))
        """
    static let receiveTransfer = """
        t AS (UPDATE exhibit_transfers SET status = 'received', received_by = $30::text, received_at = $11::timestamptz,
                  seal_intact_on_receipt = $31::boolean, condition = $32::text, remarks = $33::text, receipt_sha256 = $34::text,
                  receipt_reference = $35::text
              WHERE id = $4::uuid AND status = 'in_transit'
              RETURNING \(CustodyStore.transferColumns))
        """
    static let cancelTransfer = """
        t AS (UPDATE exhibit_transfers SET status = 'cancelled', cancelled_by = $30::text, cancelled_at = $11::timestamptz,
                  cancel_reason = $31::text
              WHERE id = $4::uuid AND status = 'in_transit'
              RETURNING \(CustodyStore.transferColumns))
        """

    static func sql(_ kind: Kind) -> String {
        switch kind {
        case .send:
            "WITH \(sendTransfer), \(entryCTE), \(custodyUpdate(after: "t")), \(versionCTE), \(auditCTE) SELECT t.*, x.* FROM t, x"
        case .receive:
            "WITH \(receiveTransfer), \(entryCTE), \(custodyUpdate(after: nil)), \(versionCTE), \(auditCTE) SELECT t.*, x.* FROM t, x"
        case .cancel:
            "WITH \(cancelTransfer), \(entryCTE), \(custodyUpdate(after: nil)), \(versionCTE), \(auditCTE) SELECT t.*, x.* FROM t, x"
        case .reseal:
            "WITH \(entryCTE), \(custodyUpdate(after: nil)), \(versionCTE), \(auditCTE) SELECT x.* FROM x"
        case .dispose:
            "WITH \(entryCTE), \(disposeUpdate), \(versionCTE), \(auditCTE) SELECT x.* FROM x"
        }
    }

    /// The step's values ($1…$23, then the kind's): its bindings and, for `execute`, its kind.
    struct Values: Sendable {
        var kind: Kind
        var bindings = PostgresBindings(capacity: 38)

        init(kind: Kind, exhibitID: UUID, updatedAt: Date, entry: Entry, version: Exhibit, change: String, by principal: Principal,
             audit: AuditEntry) throws {
            self.kind = kind
            bindings.append(exhibitID)
            bindings.append(Int64((updatedAt.timeIntervalSince1970 * 1000).rounded()))
            bindings.append(entry.event.rawValue)
            bindings.append(entry.transferID)
            bindings.append(entry.recordedBy)
            bindings.append(entry.custodianKind.rawValue)
            bindings.append(entry.custodian)
            bindings.append(entry.sealNumber)
            bindings.append(entry.sealIntact)
            bindings.append(String(decoding: try JSONEncoder().encode(entry.detail), as: UTF8.self))
            bindings.append(entry.at)
            bindings.append(String(decoding: try JSONCoding.encoder.encode(version), as: UTF8.self))
            bindings.append(change)
            bindings.append(principal.username)
            AuditLog.appendValues(of: audit, to: &bindings)
            if kind == .dispose {
                bindings.append(version.disposition?.rawValue)
                bindings.append(version.dispositionAuthority)
                bindings.append(version.disposedOn?.text)
            } else {
                bindings.append(version.custodianKind.rawValue)
                bindings.append(version.custodian)
                bindings.append(version.status.rawValue)
                bindings.append(version.sealNumber)
                bindings.append(version.storageLocation)
                bindings.append(version.sealBroken)
            }
        }

        /// A send's transfer ($30…$37); its id, sender and time are the chain entry's.
        mutating func sending(from exhibit: Exhibit, by sender: String, _ t: NewTransfer) {
            bindings.append(exhibit.custodianKind.rawValue)
            bindings.append(exhibit.custodian)
            bindings.append(sender)
            bindings.append(t.to.kind.rawValue)
            bindings.append(t.to.name)
            bindings.append(t.purpose)
            bindings.append(t.sealNumber)
            bindings.append(t.sealIntact)
        }

        /// A receipt ($30…$35); its time is the chain entry's.
        mutating func receiving(by receiver: String, _ r: NewReceipt) {
            bindings.append(receiver)
            bindings.append(r.sealIntact)
            bindings.append(r.condition)
            bindings.append(r.remarks)
            bindings.append(r.receiptSHA256)
            bindings.append(r.receiptReference)
        }

        /// A cancellation ($30, $31); its time is the chain entry's.
        mutating func cancelling(by sender: String, reason: String?) {
            bindings.append(sender)
            bindings.append(reason)
        }
    }

    struct Send: Statement { static let sql = CustodyStep.sql(.send); var values: Values }
    struct Receive: Statement { static let sql = CustodyStep.sql(.receive); var values: Values }
    struct Cancel: Statement { static let sql = CustodyStep.sql(.cancel); var values: Values }
    struct Reseal: Statement { static let sql = CustodyStep.sql(.reseal); var values: Values }
    struct Dispose: Statement { static let sql = CustodyStep.sql(.dispose); var values: Values }

    /// One statement a kind (a prepared statement's text is its type's): the transfer, for the
    /// kinds that write one, then the exhibit as it became.
    protocol Statement: PostgresPreparedStatement where Row == (Transfer?, Exhibit) {
        var values: Values { get }
    }

    /// Runs the step; the exhibit as it became must be `expected` (the version the step keeps),
    /// else nothing of it is kept. Returns the transfer written (nil for a re-seal or disposition).
    static func run(_ values: Values, expected: Exhibit, requestID: String?, on connection: PostgresConnection) async throws -> Transfer? {
        let logger = CustodyStore.logger
        let rows: AsyncThrowingMapSequence<PostgresRowSequence, (Transfer?, Exhibit)>
        switch values.kind {
        case .send: rows = try await connection.execute(Send(values: values), logger: logger)
        case .receive: rows = try await connection.execute(Receive(values: values), logger: logger)
        case .cancel: rows = try await connection.execute(Cancel(values: values), logger: logger)
        case .reseal: rows = try await connection.execute(Reseal(values: values), logger: logger)
        case .dispose: rows = try await connection.execute(Dispose(values: values), logger: logger)
        }
        var written: (Transfer?, Exhibit)?
        for try await row in rows where written == nil { written = row }
        // Under the row lock the row is what the step computed; anything else is a bug here, and
        // the transaction is rolled back rather than keep a version that is not the record.
        guard let (transfer, exhibit) = written, exhibit == expected, (transfer != nil) == [.send, .receive, .cancel].contains(values.kind) else {
            throw Problem.internal(requestID: requestID)
        }
        return transfer
    }
}

extension CustodyStep.Statement {
    func makeBindings() throws -> PostgresBindings { values.bindings }

    func decodeRow(_ row: PostgresRow) throws -> (Transfer?, Exhibit) {
        let c = row.makeRandomAccess()
        if c.count > ExhibitStore.columnCount {
            return (try CustodyStore.decodeTransfer(c), try ExhibitStore.decode(c, at: CustodyStore.transferColumnCount))
        }
        return (nil, try ExhibitStore.decode(c))
    }
}
