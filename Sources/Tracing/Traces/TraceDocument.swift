import Foundation
import IFCCore
import IFCHTTP
import IFCStore

/// A request as a document for exchange through any channel: every ITI field, its messages and
/// the request it follows on from.
public struct TraceDocument: Sendable, Encodable {
    public var trace: TraceDetail
    public var parentReference: String?
    public var messages: [TraceMessage]
    public var generatedAt: Date
    public var generatedBy: String
    /// The possessor and associates are left out: the request names them and has no legal review yet.
    public var personalDataWithheld: Bool

    enum CodingKeys: String, CodingKey {
        case trace, messages
        case parentReference = "parent_reference", generatedAt = "generated_at", generatedBy = "generated_by",
             personalDataWithheld = "personal_data_withheld"
    }
}

extension Tracing {
    public func document(id: UUID, form: PrintableForm = .json, by principal: Principal, requestID: String?) async throws -> TraceDocument {
        let (found, messages, parent) = try await database.withConnection { connection in
            let found = try await requireVisibleTrace(id, by: principal, requestID: requestID, on: connection)
            // The parent's reference only when the caller may see the parent.
            let parent = try await found.parentID.asyncMap { try await visibleTrace($0, by: principal, requestID: requestID, on: connection) } ?? nil
            return (found, try await TraceStore.messages(traceID: id, on: connection), parent)
        }
        // A document leaves the building: it prints the possessor and associates only once the
        // legal review that lets personal data leave the country is given.
        var shown = found
        let withheld = found.personalData && found.legalReview == nil
        if withheld {
            shown.circumstances?.possessor = nil
            shown.circumstances?.associates = []
        }
        try await audit.record(AuditEntry(principal: principal, action: "trace.document", recordType: "trace", recordID: id.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["form": form == .html ? "html" : "json",
                                                                                           "personal_data": withheld ? "withheld" : "shown"])))
        return TraceDocument(trace: detail(shown, messages: messages), parentReference: parent?.reference, messages: messages,
                             generatedAt: environment.now(), generatedBy: principal.username, personalDataWithheld: withheld)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
