import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// A legal review recorded on an incoming request: the answer the registry gave for one firearm at
/// one version of its record, approved by a lawyer (migration 0034).
struct AnswerReview: Sendable, Equatable {
    var id: UUID
    var firearmID: UUID
    var firearmVersion: Int
    var answer: TraceAnswer
    var reviewedBy: String
}

/// The legal review that lets personal data leave the country, given by a user holding `legal`
/// in their own name, never by who drafted or recorded the request: of an outgoing request naming a
/// possessor or associates before it is sent, and of the answer to an incoming request, bound to
/// the registry firearm and the version of its record the answer discloses. The table refuses each
/// wrong reviewer as well (migration 0034).
extension Tracing {
    public func recordLegalReview(id: UUID, expectedVersion: Int?, firearmID: UUID?, note: String?, by principal: Principal,
                                  requestID: String?) async throws -> Trace {
        let preview = try await database.withConnection { try await requireVisibleTrace(id, by: principal, requestID: requestID, on: $0) }
        guard preview.direction == .incoming else {
            if firearmID != nil { throw Problem.invalid("firearm_id", "is given only for the answer to an incoming request") }
            return try await reviewRequest(id: id, expectedVersion: expectedVersion, note: note, by: principal, requestID: requestID)
        }
        guard let firearmID else {
            throw Problem.invalid("firearm_id", "is required: the answer to an incoming request is reviewed for one registry firearm")
        }
        let assembled = try await assembledAnswer(for: preview, firearmID: firearmID, by: principal, requestID: requestID)
        guard let version = assembled.firearmVersion else { throw Problem.invalid("firearm_id", "no firearm has this id") }
        return try await database.transaction { connection in
            let current = try await self.locked(id, expectedVersion: expectedVersion, by: principal, requestID: requestID, on: connection)
            guard current.status == .acknowledged else {
                throw Problem.conflict("trace \(current.reference) is \(current.status.rawValue): an answer is reviewed before it is sent",
                                       slug: "trace-status")
            }
            try Self.refuseDrafter(current, principal)
            if let last = try await TraceStore.latestAnswerReview(traceID: id, firearmID: firearmID, on: connection),
               last.firearmVersion == version, last.answer == assembled.answer {
                throw Problem.conflict("the answer for this firearm at version \(version) has its legal review already", slug: "legal-review-recorded")
            }
            let reviewID = try await TraceStore.insertAnswerReview(traceID: id, firearmID: firearmID, firearmVersion: version,
                                                                   answer: assembled.answer, note: note, by: principal.username, on: connection)
            try await TraceStore.recordLegalReview(id: id, note: note, by: principal.username, on: connection)
            return try await Self.changed(id, change: "legal review of the answer for firearm \(firearmID.uuidString.lowercased()) at version \(version)",
                                          action: "trace.legal_review",
                                          detail: ["firearm_id": firearmID.uuidString.lowercased(), "firearm_version": "\(version)",
                                                   "review_id": reviewID.uuidString.lowercased()],
                                          by: principal, requestID: requestID, on: connection)
        }
    }

    /// An outgoing draft's review: once, before sending (a change to the personal data clears it).
    func reviewRequest(id: UUID, expectedVersion: Int?, note: String?, by principal: Principal, requestID: String?) async throws -> Trace {
        try await database.transaction { connection in
            let current = try await self.locked(id, expectedVersion: expectedVersion, by: principal, requestID: requestID, on: connection)
            guard current.status == .draft else {
                throw Problem.conflict("trace \(current.reference) is \(current.status.rawValue): a legal review is recorded before sending",
                                       slug: "trace-not-draft")
            }
            try Self.refuseDrafter(current, principal)
            if current.legalReview != nil {
                throw Problem.conflict("trace \(current.reference) has its legal review already", slug: "legal-review-recorded")
            }
            try await TraceStore.recordLegalReview(id: id, note: note, by: principal.username, on: connection)
            return try await Self.changed(id, change: "legal review recorded by \(principal.username)", action: "trace.legal_review",
                                          detail: ["approved_by": principal.username], by: principal, requestID: requestID, on: connection)
        }
    }

    static func refuseDrafter(_ trace: Trace, _ principal: Principal) throws {
        if trace.createdBy.lowercased() == principal.username.lowercased() {
            throw Problem(slug: "legal-review-by-drafter", title: "Forbidden", status: 403,
                          detail: "trace \(trace.reference) was recorded by \(trace.createdBy): its legal review is someone else's")
        }
    }

    /// The review an answer naming holders is sent under: the latest for the firearm, of exactly
    /// this answer, at the firearm's current version, by someone other than the sender.
    func requireReviewedAnswer(_ trace: Trace, answer: TraceAnswer, firearmID: UUID, firearmVersion: Int, by principal: Principal,
                               on connection: PostgresConnection) async throws -> AnswerReview {
        guard let review = try await TraceStore.latestAnswerReview(traceID: trace.id, firearmID: firearmID, on: connection) else {
            throw Problem.conflict("the answer to \(trace.reference) names holders: a legal review of it (POST /v1/traces/{id}/legal-review "
                                   + "with its firearm_id) comes first", slug: "legal-review-required")
        }
        if review.firearmVersion != firearmVersion {
            throw Problem.conflict("the registry record of this firearm changed since its legal review (version \(review.firearmVersion), now "
                                   + "\(firearmVersion)): it is reviewed again", slug: "legal-review-stale")
        }
        if review.answer != answer {
            throw Problem.conflict("the answer is not the one its legal review approved (GET /v1/traces/{id}/registry-answer gives it)",
                                   slug: "answer-not-as-reviewed")
        }
        if review.reviewedBy.lowercased() == principal.username.lowercased() {
            throw Problem(slug: "answer-sent-by-reviewer", title: "Forbidden", status: 403,
                          detail: "the answer is sent by someone other than its legal reviewer")
        }
        return review
    }
}

/// The trace_answer_reviews table (migration 0034): insert-only.
extension TraceStore {
    static func insertAnswerReview(traceID: UUID, firearmID: UUID, firearmVersion: Int, answer: TraceAnswer, note: String?, by username: String,
                                   on connection: PostgresConnection) async throws -> UUID {
        let id = UUID()
        try await connection.query("""
            INSERT INTO trace_answer_reviews (id, trace_id, firearm_id, firearm_version, answer, note, reviewed_by)
            VALUES (\(id), \(traceID), \(firearmID), \(firearmVersion), \(try json(answer))::jsonb, \(note), \(username))
            """, logger: logger)
        return id
    }

    static func latestAnswerReview(traceID: UUID, firearmID: UUID, on connection: PostgresConnection) async throws -> AnswerReview? {
        let rows = try await connection.query("""
            SELECT id, firearm_id, firearm_version, answer::text, reviewed_by FROM trace_answer_reviews
            WHERE trace_id = \(traceID) AND firearm_id = \(firearmID) ORDER BY reviewed_at DESC, id DESC LIMIT 1
            """, logger: logger)
        for try await (id, firearm, version, answer, by) in rows.decode((UUID, UUID, Int, String, String).self) {
            guard let decoded = try json(answer, as: TraceAnswer.self) else { return nil }
            return AnswerReview(id: id, firearmID: firearm, firearmVersion: version, answer: decoded, reviewedBy: by)
        }
        return nil
    }
}
