import Foundation
import ForensicsAPI
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO

/// The body of `POST /v1/lab/authorisations`.
struct AuthorisationBody: StrictBody {
    var userID: UUID
    var kind: ExaminationKind
    var validFrom: CalendarDate
    var validUntil: CalendarDate?
    var basis: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, basis
        case userID = "user_id", validFrom = "valid_from", validUntil = "valid_until"
    }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.text(basis, "basis", max: 2000)
        if let validUntil, validUntil < validFrom { rules.add("valid_until", "is before valid_from") }
        try rules.throwIfAny()
    }
}

/// The body of `POST /v1/lab/authorisations/{id}/end`.
struct AuthorisationEndBody: StrictBody {
    var lastDay: CalendarDate
    var reason: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case reason
        case lastDay = "last_day"
    }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.text(reason, "reason", max: 2000)
        try rules.throwIfAny()
    }
}

/// The laboratory's record of who is authorised for which examinations (ISO/IEC 17025 §6.2):
/// a laboratory manager grants and ends; examiners and managers read. Each change is a version
/// with its audit entry, in one transaction.
extension Forensics {
    static let labManagers = RouteSpec.Access.roles([.labManager])
    static let authorisationReaders = RouteSpec.Access.roles([.labManager, .examiner])

    func grantAuthorisation(_ body: AuthorisationBody, by principal: Principal, requestID: String?) async throws -> ExaminerAuthorisation {
        guard let account = try await users.account(id: body.userID), !account.disabled else {
            throw Problem.invalid("user_id", "no active user has this id")
        }
        if !account.roles.contains(.examiner) { throw Problem.invalid("user_id", "\(account.username) is not an examiner") }
        if account.id == principal.userID || account.username.lowercased() == principal.username.lowercased() {
            throw Problem(slug: "self-authorisation", title: "Forbidden", status: 403,
                          detail: "a laboratory manager does not authorise themselves: another manager records it")
        }
        return try await database.transaction { connection in
            let granted = try await AuthorisationStore.insert(userID: account.id, username: account.username, kind: body.kind,
                                                              validFrom: body.validFrom, validUntil: body.validUntil, basis: body.basis,
                                                              by: principal.username, on: connection)
            try await AuthorisationStore.history.append(granted, id: granted.id, version: granted.version, change: "granted", by: principal,
                                                        audit: AuditEntry(principal: principal, action: "authorisation.grant",
                                                                          recordType: "authorisation", recordID: granted.id.uuidString,
                                                                          requestID: requestID,
                                                                          detail: AuditEntry.detail(["username": account.username,
                                                                                                     "kind": body.kind.rawValue,
                                                                                                     "valid_from": body.validFrom.text])),
                                                        on: connection)
            return granted
        }
    }

    func endAuthorisation(id: UUID, expectedVersion: Int?, _ body: AuthorisationEndBody, by principal: Principal,
                          requestID: String?) async throws -> ExaminerAuthorisation {
        try await database.transaction { connection in
            guard let current = try await AuthorisationStore.find(id: id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no authorisation \(id.uuidString.lowercased())")
            }
            if let expectedVersion {
                try Problem.checkVersion(expected: expectedVersion, current: current.version, record: "authorisation")
            }
            if current.endedAt != nil { throw Problem.conflict("the authorisation has ended already", slug: "authorisation-ended") }
            if body.lastDay < current.validFrom { throw Problem.invalid("last_day", "is before valid_from (\(current.validFrom.text))") }
            if let until = current.validUntil, body.lastDay > until {
                throw Problem.invalid("last_day", "is after valid_until (\(until.text)): an extension is a new authorisation")
            }
            let ended = try await AuthorisationStore.end(id: id, lastDay: body.lastDay, reason: body.reason, by: principal.username, on: connection)
            try await AuthorisationStore.history.append(ended, id: id, version: ended.version, change: "ended (last day \(body.lastDay.text))",
                                                        by: principal,
                                                        audit: AuditEntry(principal: principal, action: "authorisation.end",
                                                                          recordType: "authorisation", recordID: id.uuidString,
                                                                          requestID: requestID,
                                                                          detail: AuditEntry.detail(["last_day": body.lastDay.text,
                                                                                                     "reason": body.reason])),
                                                        on: connection)
            return ended
        }
    }

    /// An examiner not authorised for `kind` on `day` (today when nil) does not do, verify or
    /// review such work: 403 `not-authorised` (the table refuses it too).
    static func requireAuthorised(_ username: String, for kind: ExaminationKind, on day: CalendarDate?, doing: String,
                                  on connection: PostgresConnection) async throws {
        if try await AuthorisationStore.authorised(username, kind: kind, on: day, on: connection) { return }
        throw notAuthorised("\(username) is not authorised for \(kind.rawValue) examinations on \(day?.text ?? "this day"): \(doing) "
                            + "needs an authorisation a laboratory manager records (POST /v1/lab/authorisations)")
    }

    static func notAuthorised(_ detail: String) -> Problem {
        Problem(slug: "not-authorised", title: "Forbidden", status: 403, detail: detail)
    }

    /// The table's refusals (migration 0035) as the 403 Swift gives first.
    static let authorisationConstraints: Set<String> = ["examiner_authorised_for_kind", "verifier_authorised_for_kind",
                                                         "technical_reviewer_authorised"]

    func addAuthorisationRoutes(to routes: RouteRegistry) {
        let reader = AuditedRead(recordType: "authorisation", database: database, audit: audit)
        routes.add(RouteSpec(.post, "/v1/lab/authorisations", id: "grantExaminerAuthorisation",
                             summary: "Authorise an examiner for one kind of examination from a day (ISO/IEC 17025 §6.2), with its basis; never oneself",
                             tag: name, access: Self.labManagers, body: Schema.ref("NewExaminerAuthorisation"),
                             replies: [201: .init("granted", schema: Schema.ref("ExaminerAuthorisation"), headers: ["ETag", "Location"]),
                                       403: .problem("the role is not held, or the manager names themselves (self-authorisation)")])) { request, context, principal in
            let body = try await JSONBody.decode(AuthorisationBody.self, from: request, context: context)
            let granted = try await self.grantAuthorisation(body, by: principal, requestID: context.requestID)
            return try Response.json(granted, status: .created, version: granted.version,
                                     location: "/v1/lab/authorisations/\(granted.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/lab/authorisations", id: "listExaminerAuthorisations",
                             summary: "Examiners' authorisations, newest first; on=DATE: those holding that day",
                             tag: name, access: Self.authorisationReaders,
                             parameters: [.limit, .cursor,
                                          .init("username", in: .query, schema: Schema.text(max: 100), "the examiner"),
                                          .init("kind", in: .query, schema: Schema.ref("ExaminationKind"), "the kind of examination"),
                                          .init("on", in: .query, schema: Schema.date, "only those holding on this day")],
                             replies: [200: .init("a page of authorisations", schema: Schema.ref("ExaminerAuthorisationPage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let filter = AuthorisationStore.ListFilter(username: try q.text("username"), kind: try q.value("kind", as: ExaminationKind.self),
                                                       on: try q.date("on"))
            let page = try q.page(keyCount: 2)
            if let after = page.after, UUID(uuidString: after[1]) == nil || (try? Date(after[0], strategy: AuthorisationStore.cursorTime)) == nil {
                throw Problem.invalid("cursor", "is not a cursor this list issued")
            }
            return try Response.json(try await reader.page(query: q.terms, by: principal, requestID: context.requestID, id: \.id) {
                try await AuthorisationStore.list(filter, page: page, on: $0)
            })
        }
        routes.add(RouteSpec(.get, "/v1/lab/authorisations/{id}", id: "getExaminerAuthorisation", summary: "Read an examiner's authorisation",
                             tag: name, access: Self.authorisationReaders, parameters: [.id()],
                             replies: [200: .init("the authorisation", schema: Schema.ref("ExaminerAuthorisation"), headers: ["ETag"]),
                                       404: .problem("no such authorisation")])) { _, context, principal in
            let id = try context.parameters.requireUUID("id")
            let found = try await reader.one(id, by: principal, requestID: context.requestID) { try await AuthorisationStore.find(id: id, on: $0) }
            return try Response.json(found, version: found.version)
        }
        routes.add(.history("/v1/lab/authorisations/{id}/history", id: "examinerAuthorisationHistory", record: "authorisation", tag: name,
                            access: Self.authorisationReaders, versionSchema: "ExaminerAuthorisationVersion")) { _, context, principal in
            try Response.json(try await AuthorisationStore.history.read(try context.parameters.requireUUID("id"), as: ExaminerAuthorisation.self,
                                                                        recordType: "authorisation", database: self.database, audit: self.audit,
                                                                        by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/lab/authorisations/{id}/end", id: "endExaminerAuthorisation",
                             summary: "End an authorisation on its last day, with the reason (once; an extension is a new authorisation)",
                             tag: name, access: Self.labManagers,
                             parameters: [.id(), .init("If-Match", in: .header, schema: Schema.etag, "the authorisation's ETag; when given, a stale version is 412")],
                             body: Schema.ref("ExaminerAuthorisationEnd"),
                             replies: [200: .init("ended", schema: Schema.ref("ExaminerAuthorisation"), headers: ["ETag"]),
                                       404: .problem("no such authorisation"), 409: .problem("the authorisation has ended already"),
                                       412: .problem("If-Match names a stale version")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.optionalVersion(request)
            let body = try await JSONBody.decode(AuthorisationEndBody.self, from: request, context: context)
            let ended = try await self.endAuthorisation(id: id, expectedVersion: version, body, by: principal, requestID: context.requestID)
            return try Response.json(ended, version: ended.version)
        }
    }

    static var authorisationSchemas: [String: JSONValue] {
        let record: [String: JSONValue] = [
            "id": Schema.uuid, "user_id": Schema.nullable("string", format: "uuid"), "username": Schema.string,
            "kind": Schema.ref("ExaminationKind"), "valid_from": Schema.date, "valid_until": ["oneOf": [Schema.date, ["type": "null"]]],
            "basis": Schema.string, "granted_by": Schema.string, "ended_by": Schema.nullable("string"),
            "ended_at": Schema.nullable("string", format: "date-time"), "end_reason": Schema.nullable("string"), "version": Schema.integer,
            "created_at": Schema.dateTime, "updated_at": Schema.dateTime,
        ]
        return [
            "ExaminerAuthorisation": Schema.object(record, required: Array(record.keys)),
            "ExaminerAuthorisationPage": Schema.page(of: Schema.ref("ExaminerAuthorisation")),
            "ExaminerAuthorisationVersion": Schema.version(of: Schema.ref("ExaminerAuthorisation")),
            "NewExaminerAuthorisation": Schema.object([
                "user_id": Schema.uuid, "kind": Schema.ref("ExaminationKind"), "valid_from": Schema.date, "valid_until": Schema.date,
                "basis": Forensics.text(2000),
            ], required: ["user_id", "kind", "valid_from", "basis"]),
            "ExaminerAuthorisationEnd": Schema.object(["last_day": Schema.date, "reason": Forensics.text(2000)], required: ["last_day", "reason"]),
        ]
    }
}
