import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/cases/{id}/reviews`.
struct ReviewBody: StrictBody {
    var kind: ReviewKind
    var outcome: ReviewOutcome
    var contentSHA256: String
    var note: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, outcome, note
        case contentSHA256 = "content_sha256"
    }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.sha256(contentSHA256, "content_sha256")
        rules.text(note, "note", max: 4000)
        if outcome == .returned && note == nil { rules.add("note", "is required when the report is returned: say what must change") }
        try rules.throwIfAny()
    }
}

/// The JSON body of `POST /v1/cases/{id}/reports`.
struct IssueBody: StrictBody {
    var contentSHA256: String
    var replaces: Int?
    var amendmentReason: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case replaces
        case contentSHA256 = "content_sha256", amendmentReason = "amendment_reason"
    }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.sha256(contentSHA256, "content_sha256")
        rules.text(amendmentReason, "amendment_reason", max: 4000)
        if let replaces, replaces < 1 { rules.add("replaces", "must be a version number, 1 or more") }
        try rules.throwIfAny()
    }
}

extension FieldRules {
    mutating func sha256(_ value: String, _ field: String) {
        if value.range(of: "^[0-9a-f]{64}$", options: .regularExpression) == nil {
            add(field, "must be the SHA-256 (64 lower-case hex digits) of the draft read from GET /v1/cases/{id}/report")
        }
    }
}
