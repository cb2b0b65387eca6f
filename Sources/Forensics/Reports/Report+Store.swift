import Foundation
import ForensicsAPI
import IFCCore
import IFCStore
import PostgresNIO

/// The report_reviews and case_reports tables.
enum ReportStore {
    static let logger = AuditWriter.quietLogger
    static let reviewColumns = "id, case_id, kind, outcome, reviewer, content_sha256, note, reviewed_at"

    static func decodeReview(_ row: PostgresRow) throws -> ReportReview {
        let c = row.makeRandomAccess()
        return ReportReview(id: try c[0].decode(UUID.self), caseID: try c[1].decode(UUID.self),
                            kind: ReviewKind(rawValue: try c[2].decode(String.self)) ?? .technical,
                            outcome: ReviewOutcome(rawValue: try c[3].decode(String.self)) ?? .returned,
                            reviewer: try c[4].decode(String.self), contentSHA256: try c[5].decode(String.self),
                            note: try c[6].decode(String?.self), reviewedAt: try c[7].decode(Date.self))
    }

    static func insertReview(id: UUID, caseID: UUID, kind: ReviewKind, outcome: ReviewOutcome, reviewer: String, contentSHA256: String,
                             note: String?, on connection: PostgresConnection) async throws -> ReportReview {
        let rows = try await connection.query("""
            INSERT INTO report_reviews (id, case_id, kind, outcome, reviewer, content_sha256, note)
            VALUES (\(id), \(caseID), \(kind.rawValue), \(outcome.rawValue), \(reviewer), \(contentSHA256), \(note))
            RETURNING \(unescaped: reviewColumns)
            """, logger: logger)
        for try await row in rows { return try decodeReview(row) }
        throw Problem.internal(requestID: nil)
    }

    /// The case's reviews, newest first; only those of `contentSHA256` when given.
    static func reviews(caseID: UUID, contentSHA256: String? = nil, on connection: PostgresConnection) async throws -> [ReportReview] {
        let rows = try await connection.query("""
            SELECT \(unescaped: reviewColumns) FROM report_reviews
            WHERE case_id = \(caseID) AND (\(contentSHA256)::text IS NULL OR content_sha256 = \(contentSHA256))
            ORDER BY reviewed_at DESC, id
            """, logger: logger)
        var reviews: [ReportReview] = []
        for try await row in rows { reviews.append(try decodeReview(row)) }
        return reviews
    }

    static let versionColumns = "number, version, replaces, amendment_reason, issued_at, author, json_sha256, html_sha256"

    static func decodeVersion(_ row: PostgresRow) throws -> ReportVersion {
        let c = row.makeRandomAccess()
        return ReportVersion(number: try c[0].decode(String.self), version: try c[1].decode(Int.self), replaces: try c[2].decode(Int?.self),
                             amendmentReason: try c[3].decode(String?.self), issuedAt: try c[4].decode(Date.self),
                             authorisedBy: try c[5].decode(String.self), jsonSHA256: try c[6].decode(String.self),
                             htmlSHA256: try c[7].decode(String.self))
    }

    /// The case's issued versions, oldest first.
    static func versions(caseID: UUID, on connection: PostgresConnection) async throws -> [ReportVersion] {
        let rows = try await connection.query("""
            SELECT \(unescaped: versionColumns) FROM case_reports WHERE case_id = \(caseID) ORDER BY version
            """, logger: logger)
        var versions: [ReportVersion] = []
        for try await row in rows { versions.append(try decodeVersion(row)) }
        return versions
    }

    /// Version `version` of the case's report as issued: its summary and both stored forms.
    static func issued(caseID: UUID, version: Int, on connection: PostgresConnection) async throws -> (ReportVersion, json: String, html: String)? {
        let rows = try await connection.query("""
            SELECT \(unescaped: versionColumns), document_json, document_html FROM case_reports
            WHERE case_id = \(caseID) AND version = \(version)
            """, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            return (try decodeVersion(row), try c[8].decode(String.self), try c[9].decode(String.self))
        }
        return nil
    }

    static func insertReport(_ report: IssuedReport, json: String, jsonSHA256: String, html: String, htmlSHA256: String,
                             on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO case_reports (case_id, number, version, replaces, amendment_reason, author, technical_review_id,
                                      administrative_review_id, content_sha256, document_json, json_sha256, document_html, html_sha256,
                                      issued_at)
            VALUES (\(report.caseID), \(report.number), \(report.version), \(report.replaces), \(report.amendmentReason),
                    \(report.authorisedBy), \(report.technicalReview.id), \(report.administrativeReview.id), \(report.contentSHA256),
                    \(json), \(jsonSHA256), \(html), \(htmlSHA256), \(report.issuedAt))
            """, logger: logger)
    }
}
