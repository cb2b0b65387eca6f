import Foundation

/// One line of the audit trail, before it is stored: who did what to which record, and how it ended.
public struct AuditEntry: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case success
        /// Refused by a rule: wrong role, locked account, bad password.
        case denied
        /// Attempted and failed: validation, conflict, outage.
        case failure
    }

    public var actor: String
    public var actorID: UUID?
    public var roles: [String]
    /// `module.verb`, e.g. `user.create`, `auth.login`, `firearm.read`.
    public var action: String
    public var recordType: String?
    public var recordID: String?
    public var requestID: String?
    public var outcome: Outcome
    /// A small JSON object with what the action changed or counted. Never secrets.
    public var detail: String?

    public init(actor: String, actorID: UUID?, roles: [String], action: String, recordType: String? = nil,
                recordID: String? = nil, requestID: String?, outcome: Outcome = .success, detail: String? = nil) {
        self.actor = actor
        self.actorID = actorID
        self.roles = roles
        self.action = action
        self.recordType = recordType
        self.recordID = recordID.map(AuditEntry.canonicalRecordID)
        self.requestID = requestID
        self.outcome = outcome
        self.detail = detail
    }

    public init(principal: Principal, action: String, recordType: String? = nil, recordID: String? = nil,
                requestID: String?, outcome: Outcome = .success, detail: String? = nil) {
        self.init(actor: principal.username, actorID: principal.userID, roles: principal.roleNames, action: action,
                  recordType: recordType, recordID: recordID, requestID: requestID, outcome: outcome, detail: detail)
    }
}

extension AuditEntry {
    /// Record ids are stored as given, except UUIDs, which are stored in their canonical
    /// lower-case form (RFC 9562) so that a search finds them however the client spells them.
    public static func canonicalRecordID(_ id: String) -> String {
        UUID(uuidString: id).map(\.lowercasedString) ?? id
    }
}

/// An entry as stored: its sequence number and the database's time (microseconds since 1970).
public struct StoredAuditEntry: Sendable, Equatable {
    public var seq: Int64
    public var atMicros: Int64
    public var entry: AuditEntry

    public init(seq: Int64, atMicros: Int64, entry: AuditEntry) {
        self.seq = seq
        self.atMicros = atMicros
        self.entry = entry
    }

    public var at: Date { Date(timeIntervalSince1970: Double(atMicros) / 1_000_000) }
}
