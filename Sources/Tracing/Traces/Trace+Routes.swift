import Foundation
import Hummingbird
import IFCCore
import IFCHTTP

extension Tracing {
    static let ifMatch = RouteSpec.Parameter("If-Match", in: .header, schema: Schema.etag, "the trace's ETag; when given, a stale version is 412")

    func addTraceRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/traces", id: "createTrace",
                             summary: "Draft an outgoing tracing request; from a registry firearm or a seizure it copies the description",
                             tag: name, access: Self.writers, body: Schema.ref("NewTrace"),
                             replies: [201: .init("drafted", schema: Schema.ref("Trace"), headers: ["ETag", "Location"])])) { request, context, principal in
            let fields = try await JSONBody.decode(TraceBody.self, from: request, context: context).newDraft()
            let created = try await self.createTrace(fields, by: principal, requestID: context.requestID)
            return try Response.json(self.detail(created, messages: []), status: .created, version: created.version,
                                     location: "/v1/traces/\(created.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.post, "/v1/traces/bulk", id: "createTracesFromSeizure",
                             summary: "Draft one tracing request per firearm of a seizure, at once",
                             tag: name, access: Self.writers, body: Schema.ref("NewBulkTraces"),
                             replies: [201: .init("drafted", schema: Schema.array(Schema.ref("Trace")))])) { request, context, principal in
            let body = try await JSONBody.decode(BulkTraceBody.self, from: request, context: context)
            let created = try await self.createBulk(body.template, by: principal, requestID: context.requestID)
            return try Response.json(created.map { self.detail($0, messages: []) }, status: .created)
        }
        routes.add(RouteSpec(.get, "/v1/traces", id: "listTraces",
                             summary: "Tracing requests, newest first; overdue=true: past the deadline without an answer, oldest deadline first",
                             tag: name, access: Self.readers,
                             parameters: [.limit, .cursor,
                                          .init("status", in: .query, schema: Schema.ref("TraceStatus"), "where the request stands"),
                                          .init("direction", in: .query, schema: Schema.ref("TraceDirection"), "outgoing or incoming"),
                                          .init("addressee", in: .query, schema: Schema.country, "the addressee's country"),
                                          .init("channel", in: .query, schema: Schema.ref("TraceChannel"), "how it travels"),
                                          .init("overdue", in: .query, schema: Schema.boolean, "only requests past their deadline without an answer")],
                             replies: [200: .init("a page of requests", schema: Schema.ref("TracePage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let filter = TraceStore.ListFilter(status: try q.value("status", as: TraceStatus.self), direction: try q.value("direction", as: TraceDirection.self),
                                               addressee: try q.country("addressee"), channel: try q.value("channel", as: TraceChannel.self),
                                               overdue: try q.bool("overdue") ?? false, today: self.today,
                                               viewer: TraceViewer(principal))
            let page = try q.page(keyCount: 2)
            if let after = page.after, UUID(uuidString: after[1]) == nil
                || (filter.overdue ? CalendarDate(after[0]) == nil : (try? Date(after[0], strategy: TraceStore.cursorTime)) == nil) {
                throw Problem.invalid("cursor", "is not a cursor this list issued")
            }
            return try Response.json(try await self.traces(filter, page: page, query: q.terms, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/traces/{id}", id: "getTrace", summary: "Read a tracing request with its answer and time-to-crime",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the request", schema: Schema.ref("Trace"), headers: ["ETag"]),
                                       404: .problem("no such request")])) { _, context, principal in
            let found = try await self.trace(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(found, version: found.trace.version)
        }
        routes.add(.update("/v1/traces/{id}", id: "changeTraceDraft", summary: "Edit a draft request: a new version; the old one stays in the history",
                           record: "trace", tag: name, access: Self.writers, body: "TraceChanges", result: "Trace",
                           refusals: [409: .problem("the request is no longer a draft")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let body = try await JSONBody.decode(TraceBody.self, from: request, context: context)
            if body.isEmpty { throw Problem.invalid("body", "names no change") }
            let updated = try await self.changeDraft(id: id, expectedVersion: version, body, by: principal, requestID: context.requestID)
            return try Response.json(self.detail(updated, messages: []), version: updated.version)
        }
        routes.add(.history("/v1/traces/{id}/history", id: "traceHistory", record: "trace", tag: name, access: Self.readers,
                            versionSchema: "TraceVersion")) { _, context, principal in
            try Response.json(try await self.traceHistory(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/traces/{id}/send", id: "sendTrace",
                             summary: "Send a draft: the ITI minimum content is checked (422 naming each missing field); personal data needs a legal review",
                             tag: name, access: Self.writers, parameters: [.id(), Self.ifMatch],
                             replies: [200: .init("sent", schema: Schema.ref("Trace"), headers: ["ETag"]), 404: .problem("no such request"),
                                       409: .problem("the request is not a draft"), 412: .problem("If-Match names a stale version")])) { request, context, principal in
            let sent = try await self.send(id: try context.parameters.requireUUID("id"), expectedVersion: try ETag.optionalVersion(request),
                                           by: principal, requestID: context.requestID)
            return try Response.json(self.detail(sent, messages: []), version: sent.version)
        }
        routes.add(RouteSpec(.post, "/v1/traces/{id}/legal-review", id: "recordTraceLegalReview",
                             summary: "The legal review, by a user holding legal who did not record the request, in their own name: of an outgoing request naming a possessor before it is sent; of the answer to an incoming request (firearm_id), bound to the version of the firearm's record it discloses",
                             tag: name, access: Self.lawyers, parameters: [.id(), Self.ifMatch], body: Schema.ref("NewLegalReview"),
                             replies: [200: .init("recorded", schema: Schema.ref("Trace"), headers: ["ETag"]), 404: .problem("no such request"),
                                       403: .problem("the role is not held, or the reviewer recorded the request (legal-review-by-drafter)"),
                                       409: .problem("the request is not a draft (outgoing) or not awaiting its answer (incoming), or has this review already"),
                                       422: .problem("firearm_id is missing on an incoming request, given on an outgoing one, or not one of its candidates"),
                                       412: .problem("If-Match names a stale version")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.optionalVersion(request)
            let body = try await JSONBody.decode(LegalReviewBody.self, from: request, context: context)
            let reviewed = try await self.recordLegalReview(id: id, expectedVersion: version, firearmID: body.firearmID, note: body.note,
                                                            by: principal, requestID: context.requestID)
            return try Response.json(self.detail(reviewed, messages: []), version: reviewed.version)
        }
        routes.add(RouteSpec(.post, "/v1/traces/{id}/close", id: "closeTrace", summary: "Close an answered request",
                             tag: name, access: Self.writers, parameters: [.id(), Self.ifMatch],
                             replies: [200: .init("closed", schema: Schema.ref("Trace"), headers: ["ETag"]), 404: .problem("no such request"),
                                       409: .problem("the request is not answered"), 412: .problem("If-Match names a stale version")])) { request, context, principal in
            let closed = try await self.close(id: try context.parameters.requireUUID("id"), expectedVersion: try ETag.optionalVersion(request),
                                              by: principal, requestID: context.requestID)
            return try Response.json(try await self.trace(id: closed.id, by: principal, requestID: context.requestID), version: closed.version)
        }
        routes.add(RouteSpec(.get, "/v1/traces/{id}/document", id: "traceDocument",
                             summary: "The request as a document to send through any channel, with every ITI field: JSON (Accept: application/json) for machine exchange or a print-ready page (Accept: text/html)",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the document", schema: Schema.ref("TraceDocument"),
                                                  alternatives: ["text/html": ["schema": ["type": "string"]]]),
                                       404: .problem("no such request"), 406: .problem("neither JSON nor HTML is acceptable")])) { request, context, principal in
            let form = try PrintableForm(request)
            let document = try await self.document(id: try context.parameters.requireUUID("id"), form: form, by: principal,
                                                   requestID: context.requestID)
            if form == .html { return .printable(try Self.templates.get().render("trace-document", document), form: .html) }
            return try Response.json(document)
        }
    }

    func addMessageRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/traces/{id}/messages", id: "addTraceMessage",
                             summary: "Record a message: acknowledgement, request for information, follow-up or the answer (which sets the status)",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("NewTraceMessage"),
                             replies: [201: .init("recorded", schema: Schema.ref("TraceMessage")), 404: .problem("no such request"),
                                       403: .problem("the role is not held, or the sender gave the answer's legal review (answer-sent-by-reviewer)"),
                                       409: .problem("the request is a draft or closed, or its status does not take this message; an answer naming holders without its legal review (legal-review-required), after the firearm's record changed (legal-review-stale) or not as reviewed (answer-not-as-reviewed)")])) { request, context, principal in
            let body = try await JSONBody.decode(MessageBody.self, from: request, context: context)
            let message = try await self.addMessage(traceID: try context.parameters.requireUUID("id"), kind: body.kind, direction: body.direction,
                                                    occurredOn: body.occurredOn, body: body.body, answer: body.answer, firearmID: body.firearmID,
                                                    by: principal, requestID: context.requestID)
            return try Response.json(message, status: .created)
        }
        routes.add(RouteSpec(.get, "/v1/traces/{id}/messages", id: "listTraceMessages", summary: "A request's messages, oldest first",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the messages", schema: Schema.array(Schema.ref("TraceMessage"))),
                                       404: .problem("no such request")])) { _, context, principal in
            try Response.json(try await self.messages(traceID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
    }

    func addIncomingRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/traces/incoming", id: "receiveTrace",
                             summary: "Record a request from another state: acknowledged, and matched against the registry on arrival",
                             tag: name, access: Self.writers, body: Schema.ref("NewIncomingTrace"),
                             replies: [201: .init("received", schema: Schema.ref("IncomingTrace"), headers: ["ETag", "Location"])])) { request, context, principal in
            let body = try await JSONBody.decode(IncomingBody.self, from: request, context: context)
            let (trace, matches) = try await self.receive(body.fields(today: self.today), by: principal, requestID: context.requestID)
            return try Response.json(IncomingResult(trace: self.detail(trace, messages: []), matches: matches), status: .created,
                                     version: trace.version, location: "/v1/traces/\(trace.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/traces/{id}/matches", id: "listTraceMatches",
                             summary: "An incoming request's registry candidates, best first, with their scores and why each matched",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the candidates", schema: Schema.array(Schema.ref("TraceMatch"))),
                                       404: .problem("no such request"), 409: .problem("the request is outgoing")])) { _, context, principal in
            try Response.json(try await self.matches(traceID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/traces/{id}/registry-answer", id: "assembleTraceAnswer",
                             summary: "The answer the registry's history gives (import, transfers, last lawful holder, status), to review and send",
                             tag: name, access: Self.writers,
                             parameters: [.id(), .init("firearm_id", in: .query, schema: Schema.uuid, "the registry firearm (default: the best candidate)")],
                             replies: [200: .init("the assembled answer", schema: Schema.ref("TraceAnswer")),
                                       404: .problem("no such request")])) { request, context, principal in
            var q = QueryParameters(request)
            let firearmID = try q.uuid("firearm_id")
            return try Response.json(try await self.registryAnswer(traceID: try context.parameters.requireUUID("id"), firearmID: firearmID,
                                                                   by: principal, requestID: context.requestID))
        }
    }
}

/// What `POST /v1/traces/incoming` answers: the request and its registry candidates.
struct IncomingResult: Encodable {
    var trace: TraceDetail
    var matches: [TraceMatch]
}
