import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// Messages about a request: acknowledgements move a sent request to acknowledged; an answer
/// (received for an outgoing request, sent for an incoming one) moves it to answered.
extension Tracing {
    public func addMessage(traceID: UUID, kind: MessageKind, direction: MessageDirection, occurredOn: CalendarDate?, body: String?,
                           answer: TraceAnswer?, by principal: Principal, requestID: String?) async throws -> TraceMessage {
        let today = self.today
        var rules = FieldRules()
        rules.text(body, "body", max: 8000)
        if let occurredOn, occurredOn > today { rules.add("occurred_on", "is in the future") }
        if kind == .answer, answer == nil { rules.add("answer", "is required for an answer") }
        if kind != .answer, answer != nil { rules.add("answer", "is given only with kind answer") }
        if let answer { rules.list += answer.problems("answer", today: today) }
        if kind != .answer && body == nil { rules.add("body", "is required") }
        try rules.throwIfAny()
        return try await database.transaction { connection in
            let current = try await Self.locked(traceID, expectedVersion: nil, on: connection)
            if current.status == .draft {
                throw Problem.conflict("trace \(current.reference) is a draft: send it before it takes messages", slug: "trace-draft")
            }
            if current.status == .closed { throw Problem.conflict("trace \(current.reference) is closed", slug: "trace-closed") }
            // Who sends acknowledgements and answers: the addressee of our request, or we to the requesting state.
            let theirs: MessageDirection = current.direction == .outgoing ? .received : .sent
            if (kind == .acknowledgement || kind == .answer) && direction != theirs {
                throw Problem.invalid("direction", "an \(kind.rawValue) on an \(current.direction.rawValue) request is \(theirs.rawValue)")
            }
            var next: TraceStatus?
            switch kind {
            case .acknowledgement:
                if current.status == .sent { next = .acknowledged }
            case .answer:
                guard current.status == .acknowledged else {
                    throw current.status == .sent
                        ? Problem.conflict("trace \(current.reference) is sent: its receipt is acknowledged before it is answered", slug: "trace-status")
                        : Problem.conflict("trace \(current.reference) is answered already", slug: "trace-status")
                }
                if answer?.outcome.concludes == true { next = .answered }
            case .informationRequest, .followUp:
                break
            }
            let message = try await TraceStore.insertMessage(traceID: traceID, kind: kind, direction: direction, occurredOn: occurredOn ?? today,
                                                             body: body, answer: answer, by: principal.username, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "trace.message", recordType: "trace", recordID: traceID.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["kind": kind.rawValue, "direction": direction.rawValue,
                                                                            "message_id": message.id.uuidString.lowercased(),
                                                                            "outcome": answer?.outcome.rawValue ?? ""])),
                                      on: connection)
            if let next {
                try await TraceStore.setStatus(id: traceID, next, by: principal.username, on: connection)
                _ = try await Self.changed(traceID, change: "\(kind.rawValue) \(direction.rawValue)", action: "trace.\(next.rawValue)",
                                           by: principal, requestID: requestID, on: connection)
            }
            return message
        }
    }

    public func messages(traceID: UUID, by principal: Principal, requestID: String?) async throws -> [TraceMessage] {
        let (exists, messages) = try await database.withConnection { connection in
            (try await TraceStore.find(id: traceID, on: connection) != nil, try await TraceStore.messages(traceID: traceID, on: connection))
        }
        guard exists else { throw Problem.notFound("no trace \(traceID.uuidString.lowercased())") }
        try await audit.record(AuditEntry(principal: principal, action: "trace.messages", recordType: "trace", recordID: traceID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["messages": "\(messages.count)"])))
        return messages
    }
}
