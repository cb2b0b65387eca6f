import Foundation
import ForensicsAPI
import IFCCore

/// The rules of issuing a report that need neither HTTP nor SQL.
enum ReportRules {
    /// A first issue names no predecessor; an amendment names the latest version and says why.
    static func checkAmendment(latest: Int?, replaces: Int?, amendmentReason: String?) throws {
        guard let latest else {
            var errors: [Problem.FieldError] = []
            if replaces != nil { errors.append(.init(field: "replaces", detail: "no version of this report is issued yet")) }
            if amendmentReason != nil { errors.append(.init(field: "amendment_reason", detail: "a first issue amends nothing")) }
            if !errors.isEmpty { throw Problem.validation(errors) }
            return
        }
        var errors: [Problem.FieldError] = []
        if replaces == nil { errors.append(.init(field: "replaces", detail: "version \(latest) is issued: an amendment names it")) }
        if amendmentReason == nil { errors.append(.init(field: "amendment_reason", detail: "an amended report says why it replaces version \(latest)")) }
        if !errors.isEmpty { throw Problem.validation(errors) }
        if let replaces, replaces != latest {
            throw Problem.conflict("version \(latest) is the latest issued: an amendment replaces it, not version \(replaces)",
                                   slug: "report-not-latest")
        }
    }

    /// The approving technical and administrative reviews of the draft, each the newest of its
    /// kind by an examiner other than `author`; 409 naming what is missing.
    static func approvals(_ reviews: [ReportReview], author: String) throws -> (technical: ReportReview, administrative: ReportReview) {
        func approval(_ kind: ReviewKind, notBy others: Set<String>) -> ReportReview? {
            reviews.filter { $0.kind == kind && !others.contains($0.reviewer) }
                .max { ($0.reviewedAt, $0.id.uuidString) < ($1.reviewedAt, $1.id.uuidString) }
                .flatMap { $0.outcome == .approved ? $0 : nil }
        }
        // Three people: the author, a technical reviewer, and an administrative reviewer who is neither.
        let technical = approval(.technical, notBy: [author])
        let administrative = approval(.administrative, notBy: [author, technical?.reviewer].compactMap { $0 }.reduce(into: []) { $0.insert($1) })
        guard let technical, let administrative else {
            let missing = [technical == nil ? "a technical review" : nil, administrative == nil ? "an administrative review" : nil]
                .compactMap { $0 }.joined(separator: " and ")
            var problem = Problem.conflict("the report needs \(missing) approving this draft, by examiners other than its author (\(author)), the administrative one "
                                           + "not its technical reviewer",
                                           slug: "reviews-missing")
            problem.errors = [technical == nil ? Problem.FieldError(field: "technical_review", detail: "missing") : nil,
                              administrative == nil ? Problem.FieldError(field: "administrative_review", detail: "missing") : nil].compactMap { $0 }
            throw problem
        }
        return (technical, administrative)
    }
}
