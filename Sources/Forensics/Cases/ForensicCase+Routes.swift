import Foundation
import Hummingbird
import ForensicsAPI
import IFCCore
import IFCHTTP

extension Forensics {
    func addCaseRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/cases", id: "createCase", summary: "Receive a forensic case from a submitting agency",
                             tag: name, access: Self.caseWriters, body: Schema.ref("NewForensicCase"),
                             replies: [201: .init("received", schema: Schema.ref("ForensicCase"), headers: ["ETag", "Location"])])) { request, context, principal in
            let fields = try await JSONBody.decode(CaseBody.self, from: request, context: context).newCase(today: self.today)
            let opened = try await self.createCase(fields, by: principal, requestID: context.requestID)
            return try Response.json(opened, status: .created, version: opened.version, location: "/v1/cases/\(opened.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/cases", id: "listCases", summary: "Forensic cases, newest received first, by status, seizure or agency case number",
                             tag: name, access: Self.caseReaders,
                             parameters: [.limit, .cursor,
                                          .init("status", in: .query, schema: Schema.ref("CaseStatus"), "where the case stands"),
                                          .init("seizure_id", in: .query, schema: Schema.uuid, "cases that come from this seizure"),
                                          .init("agency_case_number", in: .query, schema: Schema.text(max: 100), "the submitter's own case number (exact)")],
                             replies: [200: .init("a page of cases", schema: Schema.ref("ForensicCasePage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let filter = CaseStore.ListFilter(status: try q.value("status", as: CaseStatus.self), seizureID: try q.uuid("seizure_id"),
                                              agencyCaseNumber: try q.text("agency_case_number", max: 100))
            let page = try q.page(keyCount: 2)
            if let after = page.after, CalendarDate(after[0]) == nil || UUID(uuidString: after[1]) == nil {
                throw Problem.invalid("cursor", "is not a cursor this list issued")
            }
            return try Response.json(try await self.cases(filter, page: page, query: q.terms, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}", id: "getCase", summary: "Read a forensic case", tag: name, access: Self.caseReaders,
                             parameters: [.id()],
                             replies: [200: .init("the case", schema: Schema.ref("ForensicCase"), headers: ["ETag"]),
                                       404: .problem("no such case")])) { _, context, principal in
            let found = try await self.forensicCase(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(found, version: found.version)
        }
        routes.add(.update("/v1/cases/{id}", id: "changeCase",
                           summary: "Correct a case or move its status on: a new version; the old one stays in the history",
                           record: "case", tag: name, access: Self.caseWriters, body: "ForensicCaseChanges", result: "ForensicCase",
                           refusals: [409: .problem("the case is closed, or its status cannot move there, or its examinations are not ready for it")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let patch = try await JSONBody.decode(Patch<CaseRevision>.self, from: request, context: context)
            let updated = try await self.changeCase(id: id, expectedVersion: version, patch.applied(to:), by: principal, requestID: context.requestID)
            return try Response.json(updated, version: updated.version)
        }
        routes.add(.history("/v1/cases/{id}/history", id: "caseHistory", record: "case", tag: name, access: Self.caseReaders,
                            versionSchema: "ForensicCaseVersion")) { _, context, principal in
            try Response.json(try await self.caseHistory(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/cases/{id}/links", id: "linkCase",
                             summary: "Link the case to a registry firearm, a seizure or another case, with the reason",
                             tag: name, access: Self.linkWriters, parameters: [.id()], body: Schema.ref("NewCaseLink"),
                             replies: [201: .init("linked", schema: Schema.ref("CaseLink")), 404: .problem("no such case"),
                                       409: .problem("the case is linked to this record already")])) { request, context, principal in
            let body = try await JSONBody.decode(CaseLinkBody.self, from: request, context: context)
            let link = try await self.link(caseID: try context.parameters.requireUUID("id"), kind: body.kind, targetID: body.targetID,
                                           reason: body.reason, by: principal, requestID: context.requestID)
            return try Response.json(link, status: .created)
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}/links", id: "listCaseLinks", summary: "What the case is linked to, oldest link first",
                             tag: name, access: Self.caseReaders, parameters: [.id()],
                             replies: [200: .init("the links", schema: Schema.array(Schema.ref("CaseLink"))),
                                       404: .problem("no such case")])) { _, context, principal in
            try Response.json(try await self.links(caseID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
    }
}
