import Foundation
import IFCCore
import IFCStore
import PostgresNIO

/// Messages about a request: acknowledgements move a sent request to acknowledged; an answer
/// (received for an outgoing request, sent for an incoming one) moves it to answered.
extension Tracing {
    public func addMessage(traceID: UUID, kind: MessageKind, direction: MessageDirection, occurredOn: CalendarDate?, body: String?,
                           answer: TraceAnswer?, firearmID: UUID? = nil, by principal: Principal, requestID: String?) async throws -> TraceMessage {
        let today = self.today
        var rules = FieldRules()
        rules.text(body, "body", max: 8000)
        if let occurredOn, occurredOn > today { rules.add("occurred_on", "is in the future") }
        if kind == .answer, answer == nil { rules.add("answer", "is required for an answer") }
        if kind != .answer, answer != nil { rules.add("answer", "is given only with kind answer") }
        if let answer { rules.list += answer.problems("answer", today: today) }
        if kind != .answer && body == nil { rules.add("body", "is required") }
        if kind != .answer, firearmID != nil { rules.add("firearm_id", "is given only with kind answer") }
        try rules.throwIfAny()
        // The registry firearm an answer discloses, at the version of its record now (read through
        // the registry's read API, audited); the request's own firearm when none is named.
        var disclosed: (id: UUID, version: Int)?
        if kind == .answer, let answer {
            let preview = try await database.withConnection { try await requireVisibleTrace(traceID, by: principal, requestID: requestID, on: $0) }
            if let chosen = firearmID ?? (preview.direction == .incoming ? preview.firearmID : nil) {
                guard let firearm = try await registry.firearm(id: chosen, by: principal, requestID: requestID) else {
                    throw Problem.invalid("firearm_id", "no firearm has this id")
                }
                disclosed = (chosen, firearm.version)
            } else if preview.direction == .incoming && answer.namesHolders {
                throw Problem.invalid("firearm_id", "is required: an answer naming holders is bound to the registry firearm it discloses")
            }
        }
        let binding = disclosed.map { TraceStore.Binding(firearmID: $0.id, firearmVersion: $0.version, reviewID: nil) }
        return try await database.transaction { connection in
            let current = try await self.locked(traceID, expectedVersion: nil, by: principal, requestID: requestID, on: connection)
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
            if let answer, let late = answer.transfersAfterRecovery(current.circumstances?.recoveredOn).first,
               let recovered = current.circumstances?.recoveredOn {
                throw Problem.conflict("answer.transfers[\(late.index)]: the \(late.step.kind.rawValue.replacingOccurrences(of: "_", with: " ")) on "
                                       + "\(late.step.on) is after the recovery on \(recovered) (circumstances.recovered_on); time-to-crime "
                                       + "counts only from dates before the recovery: correct the date or the request's recovery date",
                                       slug: "transfer-after-recovery")
            }
            var bound = binding
            if let answer, let b = binding, current.direction == .incoming, answer.namesHolders {
                bound?.reviewID = try await requireReviewedAnswer(current, answer: answer, firearmID: b.firearmID, firearmVersion: b.firearmVersion,
                                                                  by: principal, on: connection).id
            }
            let message = try await TraceStore.insertMessage(traceID: traceID, kind: kind, direction: direction, occurredOn: occurredOn ?? today,
                                                             body: body, answer: answer, bound: bound, by: principal.username, on: connection)
            try await AuditLog.append(AuditEntry(principal: principal, action: "trace.message", recordType: "trace", recordID: traceID.uuidString,
                                                 requestID: requestID,
                                                 detail: AuditEntry.detail(["kind": kind.rawValue, "direction": direction.rawValue,
                                                                            "message_id": message.id.uuidString.lowercased(),
                                                                            "outcome": answer?.outcome.rawValue ?? "",
                                                                            "firearm_id": bound?.firearmID.uuidString.lowercased() ?? "",
                                                                            "firearm_version": bound.map { "\($0.firearmVersion)" } ?? "",
                                                                            "legal_review_id": bound?.reviewID?.uuidString.lowercased() ?? ""])),
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
        let messages = try await database.withConnection { connection in
            _ = try await requireVisibleTrace(traceID, by: principal, requestID: requestID, on: connection)
            return try await TraceStore.messages(traceID: traceID, on: connection)
        }
        try await audit.record(AuditEntry(principal: principal, action: "trace.messages", recordType: "trace", recordID: traceID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["messages": "\(messages.count)"])))
        return messages
    }
}
