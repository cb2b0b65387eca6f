import Foundation
import IFCCore
import IFCStore
import Logging
import PostgresNIO

/// The traces, trace_versions, trace_messages and trace_matches tables.
enum TraceStore {
    static let history = RecordHistory(table: "trace_versions", key: "trace_id")
    static let logger = AuditWriter.quietLogger
    static let columns = """
        t.id, t.reference, t.direction, t.status, t.parent_id, t.addressee::text, t.requesting_state, t.foreign_reference,
        t.received_on::text, t.channel, t.requesting_officer, t.requesting_agency, t.firearm::text, t.circumstances::text,
        t.personal_data, t.legal_basis, t.illicit_nature, t.intended_use, t.urgency, t.deadline::text, t.confidentiality,
        t.restrictions, t.seizure_id, t.case_id, t.firearm_id, t.legal_review_approver, t.legal_review_note, t.legal_review_by,
        t.legal_review_at, t.sent_by, t.sent_at, t.acknowledged_by, t.acknowledged_at, t.answered_by, t.answered_at, t.closed_by,
        t.closed_at, t.created_by, t.version, t.created_at, t.updated_at, t.exhibit_id
        """

    static func json<T: Decodable>(_ text: String?, as type: T.Type) throws -> T? {
        try text.map { try JSONCoding.decoder.decode(T.self, from: Data($0.utf8)) }
    }

    static func json(_ value: (some Encodable)?) throws -> String? {
        try value.map { String(decoding: try JSONCoding.encoder.encode($0), as: UTF8.self) }
    }

    static func step(_ by: String?, _ at: Date?) -> TraceStep? {
        guard let by, let at else { return nil }
        return TraceStep(by: by, at: at)
    }

    static func decode(_ row: PostgresRow) throws -> Trace {
        let c = row.makeRandomAccess()
        let firearm = try json(c[12].decode(String?.self), as: FoundFirearm.self)
        var review: LegalReview?
        if let approver = try c[25].decode(String?.self), let by = try c[27].decode(String?.self), let at = try c[28].decode(Date?.self) {
            review = LegalReview(approvedBy: approver, note: try c[26].decode(String?.self), recordedBy: by, recordedAt: at)
        }
        return Trace(
            id: try c[0].decode(UUID.self), reference: try c[1].decode(String.self),
            direction: TraceDirection(rawValue: try c[2].decode(String.self)) ?? .outgoing,
            status: TraceStatus(rawValue: try c[3].decode(String.self)) ?? .draft, parentID: try c[4].decode(UUID?.self),
            addressee: try json(c[5].decode(String?.self), as: Addressee.self),
            requestingState: try c[6].decode(String?.self).flatMap(Country.init), foreignReference: try c[7].decode(String?.self),
            receivedOn: try CalendarDate.decodeIfPresent(c[8]), channel: TraceChannel(rawValue: try c[9].decode(String.self)) ?? .other,
            requestingOfficer: try c[10].decode(String?.self), requestingAgency: try c[11].decode(String?.self),
            firearm: firearm, serialNormalized: firearm?.serialNormalized,
            circumstances: try json(c[13].decode(String?.self), as: Circumstances.self), personalData: try c[14].decode(Bool.self),
            legalBasis: try c[15].decode(String?.self), illicitNature: try c[16].decode(String?.self), intendedUse: try c[17].decode(String?.self),
            urgency: TraceUrgency(rawValue: try c[18].decode(String.self)) ?? .routine, deadline: try CalendarDate.decodeIfPresent(c[19]),
            confidentiality: .init(rawValue: try c[20].decode(String.self)) ?? .restricted, restrictions: try c[21].decode(String?.self),
            seizureID: try c[22].decode(UUID?.self), caseID: try c[23].decode(UUID?.self), firearmID: try c[24].decode(UUID?.self),
            exhibitID: try c[41].decode(UUID?.self), legalReview: review,
            sent: step(try c[29].decode(String?.self), try c[30].decode(Date?.self)),
            acknowledged: step(try c[31].decode(String?.self), try c[32].decode(Date?.self)),
            answered: step(try c[33].decode(String?.self), try c[34].decode(Date?.self)),
            closed: step(try c[35].decode(String?.self), try c[36].decode(Date?.self)),
            createdBy: try c[37].decode(String.self), version: try c[38].decode(Int.self),
            createdAt: try c[39].decode(Date.self), updatedAt: try c[40].decode(Date.self))
    }

    static func insert(id: UUID, reference: String, direction: TraceDirection, status: TraceStatus, _ f: TraceFields, createdBy: String,
                       acknowledgedNow: Bool, on connection: PostgresConnection) async throws {
        let personal = f.circumstances?.hasPersonalData ?? false
        let ackBy: String? = acknowledgedNow ? createdBy : nil
        try await connection.query("""
            INSERT INTO traces (id, reference, direction, status, parent_id, addressee, requesting_state, foreign_reference, received_on,
                                channel, requesting_officer, requesting_agency, firearm, circumstances, personal_data, legal_basis,
                                illicit_nature, intended_use, urgency, deadline, confidentiality, restrictions, seizure_id, case_id,
                                firearm_id, exhibit_id, created_by, acknowledged_by, acknowledged_at)
            VALUES (\(id), \(reference), \(direction.rawValue), \(status.rawValue), \(f.parentID), \(try json(f.addressee))::jsonb,
                    \(f.requestingState?.code), \(f.foreignReference), \(f.receivedOn?.text)::date, \(f.channel.rawValue),
                    \(f.requestingOfficer), \(f.requestingAgency), \(try json(f.firearm))::jsonb, \(try json(f.circumstances))::jsonb,
                    \(personal), \(f.legalBasis), \(f.illicitNature), \(f.intendedUse), \(f.urgency.rawValue), \(f.deadline?.text)::date,
                    \(f.confidentiality.rawValue), \(f.restrictions), \(f.seizureID), \(f.caseID), \(f.firearmID), \(f.exhibitID), \(createdBy),
                    \(ackBy), CASE WHEN \(acknowledgedNow) THEN date_trunc('milliseconds', clock_timestamp()) END)
            """, logger: logger)
    }

    /// Writes a draft's fields; `clearReview` drops its legal review (the personal data it approved changed).
    static func update(id: UUID, _ f: TraceFields, clearReview: Bool = false, on connection: PostgresConnection) async throws {
        let personal = f.circumstances?.hasPersonalData ?? false
        try await connection.query("""
            UPDATE traces SET
                legal_review_approver = CASE WHEN \(clearReview) THEN NULL ELSE legal_review_approver END,
                legal_review_note = CASE WHEN \(clearReview) THEN NULL ELSE legal_review_note END,
                legal_review_by = CASE WHEN \(clearReview) THEN NULL ELSE legal_review_by END,
                legal_review_at = CASE WHEN \(clearReview) THEN NULL ELSE legal_review_at END,
                parent_id = \(f.parentID), addressee = \(try json(f.addressee))::jsonb, channel = \(f.channel.rawValue),
                requesting_officer = \(f.requestingOfficer), requesting_agency = \(f.requestingAgency), firearm = \(try json(f.firearm))::jsonb,
                circumstances = \(try json(f.circumstances))::jsonb, personal_data = \(personal), legal_basis = \(f.legalBasis),
                illicit_nature = \(f.illicitNature), intended_use = \(f.intendedUse), urgency = \(f.urgency.rawValue),
                deadline = \(f.deadline?.text)::date, confidentiality = \(f.confidentiality.rawValue), restrictions = \(f.restrictions),
                seizure_id = \(f.seizureID), case_id = \(f.caseID), firearm_id = \(f.firearmID),
                exhibit_id = \(f.exhibitID), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            """, logger: logger)
    }

    /// Moves the request to `status`, recording who and when for it.
    static func setStatus(id: UUID, _ status: TraceStatus, by username: String, on connection: PostgresConnection) async throws {
        let s = status.rawValue
        try await connection.query("""
            UPDATE traces SET status = \(s),
                sent_by = CASE WHEN \(s) = 'sent' THEN \(username) ELSE sent_by END,
                sent_at = CASE WHEN \(s) = 'sent' THEN date_trunc('milliseconds', clock_timestamp()) ELSE sent_at END,
                acknowledged_by = CASE WHEN \(s) = 'acknowledged' THEN \(username) ELSE acknowledged_by END,
                acknowledged_at = CASE WHEN \(s) = 'acknowledged' THEN date_trunc('milliseconds', clock_timestamp()) ELSE acknowledged_at END,
                answered_by = CASE WHEN \(s) = 'answered' THEN \(username) ELSE answered_by END,
                answered_at = CASE WHEN \(s) = 'answered' THEN date_trunc('milliseconds', clock_timestamp()) ELSE answered_at END,
                closed_by = CASE WHEN \(s) = 'closed' THEN \(username) ELSE closed_by END,
                closed_at = CASE WHEN \(s) = 'closed' THEN date_trunc('milliseconds', clock_timestamp()) ELSE closed_at END,
                version = version + 1, updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            """, logger: logger)
    }

    /// The reviewer approves in their own name (the table refuses another approver, a reviewer not
    /// holding `legal`, and the request's drafter).
    static func recordLegalReview(id: UUID, note: String?, by username: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE traces SET legal_review_approver = \(username), legal_review_note = \(note), legal_review_by = \(username),
                legal_review_at = date_trunc('milliseconds', clock_timestamp()), version = version + 1,
                updated_at = date_trunc('milliseconds', clock_timestamp())
            WHERE id = \(id)
            """, logger: logger)
    }

    /// The trace by id with whether `viewer` may see it (`trace_visible`, migration 0034).
    static func find(id: UUID, as viewer: TraceViewer, forUpdate: Bool = false,
                     on connection: PostgresConnection) async throws -> (record: Trace, visible: Bool)? {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns), trace_visible(t.id, t.confidentiality, t.case_id, \(viewer.userID), \(viewer.clearance.rawValue))
            FROM traces t WHERE t.id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await row in rows { return (try decode(row), try row.makeRandomAccess()[columnCount].decode(Bool.self)) }
        return nil
    }

    static let columnCount = 42

    /// The module's own read, after the caller's sight of the trace was checked.
    static func find(id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Trace? {
        let rows = forUpdate
            ? try await connection.query("SELECT \(unescaped: columns) FROM traces t WHERE t.id = \(id) FOR UPDATE", logger: logger)
            : try await connection.query("SELECT \(unescaped: columns) FROM traces t WHERE t.id = \(id)", logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static let cursorTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    struct ListFilter: Sendable {
        var status: TraceStatus?
        var direction: TraceDirection?
        var addressee: Country?
        var channel: TraceChannel?
        var overdue: Bool
        var today: CalendarDate
        /// Only the traces this viewer may see (filtered in SQL, so pages stay full).
        var viewer: TraceViewer
    }

    /// Newest first; overdue (past the deadline without an answer) oldest deadline first.
    static func list(_ filter: ListFilter, page: PageRequest, on connection: PostgresConnection) async throws -> Page<Trace> {
        let afterKey = page.after?[0]
        let afterID = page.after.flatMap { UUID(uuidString: $0[1]) }
        let status = filter.status?.rawValue, direction = filter.direction?.rawValue
        let addressee = filter.addressee?.code, channel = filter.channel?.rawValue
        let viewer = filter.viewer.userID, clearance = filter.viewer.clearance.rawValue
        var items: [Trace] = []
        if filter.overdue {
            let rows = try await connection.query("""
                SELECT \(unescaped: columns) FROM traces t
                WHERE t.status IN ('sent', 'acknowledged') AND t.deadline < \(filter.today.text)::date
                  AND (\(afterKey)::date IS NULL OR (t.deadline, t.id) > (\(afterKey)::date, \(afterID)::uuid))
                  AND (\(status)::text IS NULL OR t.status = \(status)) AND (\(direction)::text IS NULL OR t.direction = \(direction))
                  AND (\(addressee)::text IS NULL OR t.addressee_country = \(addressee))
                  AND (\(channel)::text IS NULL OR t.channel = \(channel))
                  AND trace_visible(t.id, t.confidentiality, t.case_id, \(viewer), \(clearance))
                ORDER BY t.deadline, t.id
                LIMIT \(page.limit + 1)
                """, logger: logger)
            for try await row in rows { items.append(try decode(row)) }
            return Page(fetched: items, limit: page.limit, key: { [$0.deadline?.text ?? "", $0.id.uuidString] })
        }
        let afterTime = afterKey.flatMap { try? Date($0, strategy: cursorTime) }
        let rows = try await connection.query("""
            SELECT \(unescaped: columns) FROM traces t
            WHERE (\(afterTime)::timestamptz IS NULL OR (t.created_at, t.id) < (\(afterTime)::timestamptz, \(afterID)::uuid))
              AND (\(status)::text IS NULL OR t.status = \(status)) AND (\(direction)::text IS NULL OR t.direction = \(direction))
              AND (\(addressee)::text IS NULL OR t.addressee_country = \(addressee))
              AND (\(channel)::text IS NULL OR t.channel = \(channel))
              AND trace_visible(t.id, t.confidentiality, t.case_id, \(viewer), \(clearance))
            ORDER BY t.created_at DESC, t.id DESC
            LIMIT \(page.limit + 1)
            """, logger: logger)
        for try await row in rows { items.append(try decode(row)) }
        return Page(fetched: items, limit: page.limit, key: { [$0.createdAt.formatted(cursorTime), $0.id.uuidString] })
    }

    // MARK: messages

    static let messageColumns = """
        m.id, m.trace_id, m.kind, m.direction, m.occurred_on::text, m.body, m.answer::text, m.recorded_by, m.recorded_at, m.firearm_id,
        m.firearm_version, r.reviewed_by, r.reviewed_at, r.note
        """

    static func decodeMessage(_ row: PostgresRow) throws -> TraceMessage {
        let c = row.makeRandomAccess()
        return TraceMessage(id: try c[0].decode(UUID.self), traceID: try c[1].decode(UUID.self),
                            kind: MessageKind(rawValue: try c[2].decode(String.self)) ?? .followUp,
                            direction: MessageDirection(rawValue: try c[3].decode(String.self)) ?? .received,
                            occurredOn: try CalendarDate.decode(c[4]), body: try c[5].decode(String?.self),
                            answer: try json(c[6].decode(String?.self), as: TraceAnswer.self), recordedBy: try c[7].decode(String.self),
                            recordedAt: try c[8].decode(Date.self), firearmID: try c[9].decode(UUID?.self),
                            firearmVersion: try c[10].decode(Int?.self),
                            legalReview: try c[11].decode(String?.self).map { by in
                                LegalReview(approvedBy: by, note: try c[13].decode(String?.self), recordedBy: by, recordedAt: try c[12].decode(Date.self))
                            })
    }

    /// What an answer is bound to: the registry firearm and version it disclosed, and the legal review it was sent under.
    struct Binding: Sendable {
        var firearmID: UUID
        var firearmVersion: Int
        var reviewID: UUID?
    }

    static func insertMessage(traceID: UUID, kind: MessageKind, direction: MessageDirection, occurredOn: CalendarDate, body: String?,
                              answer: TraceAnswer?, bound: Binding? = nil, by username: String,
                              on connection: PostgresConnection) async throws -> TraceMessage {
        let rows = try await connection.query("""
            WITH m AS (
                INSERT INTO trace_messages (id, trace_id, kind, direction, occurred_on, body, answer, outcome, recorded_by, firearm_id,
                                            firearm_version, answer_review_id)
                VALUES (\(UUID()), \(traceID), \(kind.rawValue), \(direction.rawValue), \(occurredOn.text)::date, \(body),
                        \(try json(answer))::jsonb, \(answer?.outcome.rawValue), \(username), \(bound?.firearmID), \(bound?.firearmVersion),
                        \(bound?.reviewID))
                RETURNING *)
            SELECT \(unescaped: messageColumns) FROM m LEFT JOIN trace_answer_reviews r ON r.id = m.answer_review_id
            """, logger: logger)
        for try await row in rows { return try decodeMessage(row) }
        throw Problem.internal(requestID: nil)
    }

    static func messages(traceID: UUID, on connection: PostgresConnection) async throws -> [TraceMessage] {
        let rows = try await connection.query("""
            SELECT \(unescaped: messageColumns) FROM trace_messages m LEFT JOIN trace_answer_reviews r ON r.id = m.answer_review_id
            WHERE m.trace_id = \(traceID) ORDER BY m.recorded_at, m.id
            """, logger: logger)
        var messages: [TraceMessage] = []
        for try await row in rows { messages.append(try decodeMessage(row)) }
        return messages
    }

    /// The latest answer that concluded the request (traced, not traced, restricted), else the latest answer.
    static func answer(of messages: [TraceMessage]) -> TraceAnswer? {
        let answers = messages.compactMap(\.answer)
        return answers.last(where: { $0.outcome.concludes }) ?? answers.last
    }

    // MARK: matches

    static let matchColumns = "id, trace_id, firearm_id, component_id, reference, part, serial_normalized, match, distance, score, reasons"

    static func insertMatch(_ m: TraceMatch, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO trace_matches (id, trace_id, firearm_id, component_id, reference, part, serial_normalized, match, distance, score, reasons)
            VALUES (\(m.id), \(m.traceID), \(m.firearmID), \(m.componentID), \(m.reference), \(m.part), \(m.serialNormalized), \(m.match),
                    \(m.distance), \(m.score), \(m.reasons)::text[])
            """, logger: logger)
    }

    static func matches(traceID: UUID, on connection: PostgresConnection) async throws -> [TraceMatch] {
        let rows = try await connection.query("""
            SELECT \(unescaped: matchColumns) FROM trace_matches WHERE trace_id = \(traceID) ORDER BY score DESC, reference, id
            """, logger: logger)
        var matches: [TraceMatch] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            matches.append(TraceMatch(id: try c[0].decode(UUID.self), traceID: try c[1].decode(UUID.self), firearmID: try c[2].decode(UUID?.self),
                                      componentID: try c[3].decode(UUID?.self), reference: try c[4].decode(String.self),
                                      part: try c[5].decode(String.self), serialNormalized: try c[6].decode(String?.self),
                                      match: try c[7].decode(String.self), distance: try c[8].decode(Int?.self), score: try c[9].decode(Int.self),
                                      reasons: try c[10].decode([String].self)))
        }
        return matches
    }
}
