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

    enum CodingKeys: String, CodingKey {
        case trace, messages
        case parentReference = "parent_reference", generatedAt = "generated_at", generatedBy = "generated_by"
    }
}

extension Tracing {
    public func document(id: UUID, form: PrintableForm = .json, by principal: Principal, requestID: String?) async throws -> TraceDocument {
        let (found, messages, parent) = try await database.withConnection { connection in
            let found = try await TraceStore.find(id: id, on: connection)
            let parent = try await found?.parentID.asyncMap { try await TraceStore.find(id: $0, on: connection) } ?? nil
            return (found, try await TraceStore.messages(traceID: id, on: connection), parent)
        }
        guard let found else { throw Problem.notFound("no trace \(id.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "trace.document", recordType: "trace", recordID: id.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["form": form == .html ? "html" : "json"])))
        return TraceDocument(trace: detail(found, messages: messages), parentReference: parent?.reference, messages: messages,
                             generatedAt: environment.now(), generatedBy: principal.username)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
