import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// Who reads a case, as the need-to-know rule sees them: a user's id and clearance. A
/// `standard` or `restricted` case is seen by anyone whose role reads cases and whose clearance
/// reaches its level; a `confidential` or `secret` one only by the current members of its team so
/// cleared (`forensic_case_visible`, migration 0031).
struct CaseViewer: Sendable {
    var userID: UUID?
    var clearance: Clearance
    /// Reads cases only through tracing (a liaison officer): on the case's team, or a trace they
    /// may see was made from it (migration 0036).
    var tracedOnly = false
    /// The module's own bookkeeping (the demo's seeding, an audit detail naming a case already
    /// shown), never a person's read.
    var everything = false

    init(_ principal: Principal) {
        userID = principal.userID
        clearance = principal.clearance
        tracedOnly = principal.readsCasesThroughTraces
    }

    private init(everything: Bool) {
        userID = nil
        clearance = .secret
        self.everything = everything
    }

    static let module = CaseViewer(everything: true)
}

extension Forensics {
    /// The case `id` as `principal` may see it, or nil: absent and hidden answer alike (404), so a
    /// case's existence is not disclosed to who may not see it. A hidden case's refusal is an
    /// audit entry (`case.denied`, with the rule).
    func visibleCase(_ id: UUID, by principal: Principal, requestID: String?, forUpdate: Bool = false,
                     on connection: PostgresConnection) async throws -> ForensicCase? {
        guard let (found, visible) = try await CaseStore.find(id: id, as: CaseViewer(principal), forUpdate: forUpdate, on: connection) else {
            return nil
        }
        if visible { return found }
        try await audit.record(AuditEntry(principal: principal, action: "case.denied", recordType: "case", recordID: id.uuidString,
                                          requestID: requestID, outcome: .denied,
                                          detail: AuditEntry.detail(["rule": Self.rule(found.confidentiality, clearance: principal.clearance,
                                                                                tracedOnly: principal.readsCasesThroughTraces),
                                                                     "confidentiality": found.confidentiality.rawValue])))
        return nil
    }

    /// The same, throwing 404 when the case is absent or hidden.
    func requireVisibleCase(_ id: UUID, by principal: Principal, requestID: String?, forUpdate: Bool = false,
                            on connection: PostgresConnection) async throws -> ForensicCase {
        guard let found = try await visibleCase(id, by: principal, requestID: requestID, forUpdate: forUpdate, on: connection) else {
            throw Problem.notFound("no case \(id.uuidString.lowercased())")
        }
        return found
    }

    static func rule(_ level: Confidentiality, clearance: Clearance, tracedOnly: Bool = false) -> String {
        let needed = Clearance(rawValue: level.rawValue) ?? .secret
        if clearance < needed { return "clearance \(clearance.rawValue) is below the case's \(level.rawValue)" }
        if needed.needsMembership { return "a \(level.rawValue) case is seen by the members of its team only" }
        return "a liaison officer sees a case on its team or traced in a request they may see"
    }
}
