import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// Incoming requests: recorded with their acknowledgement of receipt and matched against the
/// registry (firearms and components) on arrival; answered from the registry's history.
extension Tracing {
    /// How many registry candidates a request keeps.
    static let matchLimit = 25

    public func receive(_ fields: TraceFields, by principal: Principal, requestID: String?) async throws -> (Trace, [TraceMatch]) {
        var errors = fields.problems(today: today, checkDeadline: false)
        if fields.firearm?.serial == nil && fields.firearm?.otherMarkings == nil && fields.firearm?.importMarkings == nil {
            errors.append(.init(field: "firearm.serial", detail: "is required (or the other or import markings when the serial is unreadable)"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let candidates = try await candidates(for: fields.firearm, by: principal, requestID: requestID)
        let now = environment.now()
        let today = self.today
        return try await database.transaction { connection in
            let trace = try await Self.insert(fields, direction: .incoming, now: now, by: principal, requestID: requestID, on: connection)
            _ = try await TraceStore.insertMessage(traceID: trace.id, kind: .acknowledgement, direction: .sent, occurredOn: today,
                                                   body: "Receipt of the request acknowledged (\(trace.reference)).", answer: nil,
                                                   by: principal.username, on: connection)
            var matches: [TraceMatch] = []
            for candidate in candidates {
                var m = candidate
                m.traceID = trace.id
                try await TraceStore.insertMatch(m, on: connection)
                matches.append(m)
            }
            try await AuditLog.append(AuditEntry(principal: principal, action: "trace.match", recordType: "trace", recordID: trace.id.uuidString,
                                                 requestID: requestID, detail: AuditEntry.detail(["candidates": "\(matches.count)"])),
                                      on: connection)
            return (trace, matches.sorted { ($0.score, $1.reference) > ($1.score, $0.reference) })
        }
    }

    /// The registry candidates for a described firearm: the serial (normalised, or a partial
    /// serial) searched with confusables and fuzzy matching, firearms and components, scored.
    func candidates(for wanted: FoundFirearm?, by principal: Principal, requestID: String?) async throws -> [TraceMatch] {
        guard let wanted, let serial = wanted.serial, (try? Serial.Pattern.checked(serial)) != nil else { return [] }
        let (firearms, matches) = try await registry.serialCandidates(pattern: serial, confusables: true, fuzzy: true, make: nil, type: nil,
                                                                      limit: Self.matchLimit, by: principal, requestID: requestID)
        let byID = Dictionary(firearms.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return matches.map { match in
            let (score, reasons) = MatchScore.score(match, firearm: match.firearmID.flatMap { byID[$0] }, wanted: wanted)
            return TraceMatch(id: UUID(), traceID: UUID(), firearmID: match.firearmID, componentID: match.componentID, reference: match.reference,
                              part: match.part, serialNormalized: match.serialNormalized, match: match.match, distance: match.distance,
                              score: score, reasons: reasons)
        }
    }

    public func matches(traceID: UUID, by principal: Principal, requestID: String?) async throws -> [TraceMatch] {
        let (found, matches) = try await database.withConnection { connection in
            (try await requireVisibleTrace(traceID, by: principal, requestID: requestID, on: connection),
             try await TraceStore.matches(traceID: traceID, on: connection))
        }
        if found.direction != .incoming {
            throw Problem.conflict("trace \(found.reference) is outgoing: only incoming requests are matched against the registry", slug: "trace-outgoing")
        }
        try await audit.record(AuditEntry(principal: principal, action: "trace.matches", recordType: "trace", recordID: traceID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["candidates": "\(matches.count)"])))
        return matches
    }

    /// The answer the registry's history gives for `firearmID` (by default the best candidate),
    /// for the liaison officer to review and send as the answer message.
    public func registryAnswer(traceID: UUID, firearmID: UUID?, by principal: Principal, requestID: String?) async throws -> TraceAnswer {
        let found = try await database.withConnection { try await requireVisibleTrace(traceID, by: principal, requestID: requestID, on: $0) }
        try await audit.record(AuditEntry(principal: principal, action: "trace.read", recordType: "trace", recordID: traceID.uuidString,
                                          requestID: requestID, detail: AuditEntry.detail(["view": "registry-answer"])))
        return try await assembledAnswer(for: found, firearmID: firearmID, by: principal, requestID: requestID).answer
    }

    /// What the registry answers for one of the request's firearms: the answer, and the firearm and
    /// version of its record it was assembled from (nil when no candidate: not traced).
    func assembledAnswer(for found: Trace, firearmID: UUID?, by principal: Principal,
                         requestID: String?) async throws -> (answer: TraceAnswer, firearmID: UUID?, firearmVersion: Int?) {
        let matches = try await database.withConnection { try await TraceStore.matches(traceID: found.id, on: $0) }
        guard let chosen = firearmID ?? found.firearmID ?? matches.first(where: { $0.firearmID != nil })?.firearmID else {
            return (TraceAnswer(outcome: .notTraced, notTracedReason: .noRecord), nil, nil)
        }
        // The registry's history of a firearm (its holders) is answered only for the request's own
        // firearm or one of its candidates, never for any firearm a liaison officer names.
        let candidates = Set([found.firearmID].compactMap { $0 } + matches.compactMap(\.firearmID))
        guard candidates.contains(chosen) else {
            throw Problem.invalid("firearm_id", "is neither the request's firearm nor one of its candidates")
        }
        guard let history = try await registry.firearmHistory(id: chosen, by: principal, requestID: requestID) else {
            throw Problem.invalid("firearm_id", "no firearm has this id")
        }
        return (AnswerAssembly.answer(from: history, nodeCountry: settings.nodeCountry), chosen, history.firearm.version)
    }
}
