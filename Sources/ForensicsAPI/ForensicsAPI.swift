import Foundation
import IFCCore

// The forensics module's public face: what another module may import. Its models (this folder)
// and its read API; the implementation (`Forensics`) is a separate target no other module depends
// on. The server builds it and hands other modules this protocol.

/// What other modules (exhibits, tracing) may ask of the forensics module: a seizure, a case or an
/// examination. Every read is audited as the caller's, like a read through the API, with the module
/// it came through (`detail.query.via`), so "who looked at this case" has one answer whichever
/// module showed it. No other module reads or writes the forensics tables.
public protocol ForensicsReading: Sendable {
    func seizure(id: UUID, by principal: Principal, requestID: String?) async throws -> Seizure?
    func forensicCase(id: UUID, by principal: Principal, requestID: String?) async throws -> ForensicCase?
    /// An examination; nil when unknown.
    func examination(id: UUID, by principal: Principal, requestID: String?) async throws -> Examination?
    /// Cases as `GET /v1/cases` lists them (newest received first, a page at a time).
    func cases(page: PageRequest, by principal: Principal, requestID: String?) async throws -> Page<ForensicCase>
    /// A case's examinations, oldest first.
    func examinations(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [Examination]
    /// Which of `caseIDs` `principal` may see (the need-to-know rule: clearance, and membership of
    /// a confidential or secret case's team). A check, not a read: nothing of the cases is answered.
    /// Whatever is derived from a case (its exhibits, their custody, leads) follows it. In SQL,
    /// another module's list asks the same rule with
    /// `forensic_case_visible_to(case_id, user, clearance, principal.readsCasesThroughTraces)`.
    func visibleCases(_ caseIDs: Set<UUID>, by principal: Principal) async throws -> Set<UUID>
}

extension Principal {
    /// A user who reads cases only as a liaison officer (neither analyst nor examiner) sees a case
    /// when on its team or when a trace they may see was made from it (migration 0036).
    public var readsCasesThroughTraces: Bool { !roles.contains(.analyst) && !roles.contains(.examiner) && !roles.contains(.evidenceOfficer) }

    /// The same for seizures: a clerk, analyst or examiner reads every seizure; a liaison officer
    /// those a trace they may see names, those a case they may see names, and those no case names.
    public var readsSeizuresThroughTraces: Bool { readsCasesThroughTraces && !roles.contains(.clerk) }
}
