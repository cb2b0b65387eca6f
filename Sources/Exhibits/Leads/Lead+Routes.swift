import Foundation
import Hummingbird
import ExhibitsAPI
import IFCCore
import IFCHTTP

extension Exhibits {
    func addLeadRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/exhibits/{id}/acquisitions", id: "acquireExhibit",
                             summary: "Record the exhibit's entry in a ballistic imaging system (IBIS, Evofinder, BRASTRAX) and network",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("NewAcquisition"),
                             replies: [201: .init("recorded", schema: Schema.ref("Acquisition")), 404: .problem("no such exhibit"),
                                       409: .problem("the system's reference is recorded already")])) { request, context, principal in
            let body = try await JSONBody.decode(AcquisitionBody.self, from: request, context: context)
            let made = try await self.acquire(exhibitID: try context.parameters.requireUUID("id"), body.value, by: principal,
                                              requestID: context.requestID)
            return try Response.json(made, status: .created)
        }
        routes.add(RouteSpec(.get, "/v1/exhibits/{id}/acquisitions", id: "listExhibitAcquisitions",
                             summary: "The exhibit's imaging acquisitions, oldest first", tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the acquisitions", schema: Schema.array(Schema.ref("Acquisition"))),
                                       404: .problem("no such exhibit")])) { _, context, principal in
            try Response.json(try await self.acquisitions(exhibitID: try context.parameters.requireUUID("id"), by: principal,
                                                          requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/leads", id: "createLead",
                             summary: "Record a correlation lead between two cartridge cases or two bullets of different cases",
                             tag: name, access: Self.writers, body: Schema.ref("NewLead"),
                             replies: [201: .init("open", schema: Schema.ref("Lead")),
                                       409: .problem("a lead between these exhibits is recorded already")])) { request, context, principal in
            let body = try await JSONBody.decode(LeadBody.self, from: request, context: context)
            return try Response.json(try await self.createLead(body.value, by: principal, requestID: context.requestID), status: .created)
        }
        routes.add(RouteSpec(.get, "/v1/leads", id: "listLeads",
                             summary: "Leads oldest first (status=open: the queue), with recovery→acquisition, acquisition→lead and lead→decision durations",
                             tag: name, access: Self.readers,
                             parameters: [.limit, .cursor,
                                          .init("status", in: .query, schema: Schema.ref("LeadStatus"), "open, or a decision"),
                                          .init("exhibit_id", in: .query, schema: Schema.uuid, "leads of this exhibit")],
                             replies: [200: .init("a page of leads", schema: Schema.ref("LeadPage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let status = try q.value("status", as: LeadStatus.self)
            let exhibitID = try q.uuid("exhibit_id")
            let page = try q.page(keyCount: 2)
            if let after = page.after, Int64(after[0]) == nil || UUID(uuidString: after[1]) == nil {
                throw Problem.invalid("cursor", "is not a cursor this list issued")
            }
            return try Response.json(try await self.leads(status: status, exhibitID: exhibitID, page: page, query: q.terms, by: principal,
                                                          requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/leads/{id}", id: "getLead", summary: "Read a lead", tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the lead", schema: Schema.ref("Lead")), 404: .problem("no such lead")])) { _, context, principal in
            try Response.json(try await self.lead(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/leads/{id}/decision", id: "decideLead",
                             summary: "The examiner's decision (AFTE range); an identification is a hit and names the verified comparison examination. "
                                 + "A decided lead is corrected by a new decision naming the current one in replaces, with the reason",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("LeadDecisionBody"),
                             replies: [200: .init("decided", schema: Schema.ref("Lead")), 404: .problem("no such lead"),
                                       409: .problem("the lead is decided already (name the decision replaced), replaces is not the current "
                                                     + "decision, the hit is withdrawn, or the comparison is not verified")])) { request, context, principal in
            let body = try await JSONBody.decode(DecisionBody.self, from: request, context: context)
            return try Response.json(try await self.decide(leadID: try context.parameters.requireUUID("id"), body.decision,
                                                           examinationID: body.examinationID, note: body.note, replaces: body.replaces,
                                                           reason: body.reason, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/leads/{id}/decisions", id: "leadDecisions",
                             summary: "Every decision on a lead, oldest first: the first and each correction with what it replaced and why",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the decisions", schema: Schema.array(Schema.ref("LeadDecisionRecord"))),
                                       404: .problem("no such lead")])) { _, context, principal in
            try Response.json(try await self.leadDecisions(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/leads/{id}/withdrawal", id: "withdrawHit",
                             summary: "Withdraw a hit, with the reason (a correction): the clusters it joined split again",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("HitWithdrawal"),
                             replies: [200: .init("withdrawn", schema: Schema.ref("Lead")), 404: .problem("no such lead"),
                                       409: .problem("the lead is not a current hit")])) { request, context, principal in
            let body = try await JSONBody.decode(WithdrawalBody.self, from: request, context: context)
            return try Response.json(try await self.withdraw(leadID: try context.parameters.requireUUID("id"), reason: body.reason, by: principal,
                                                             requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}/cluster", id: "caseCluster",
                             summary: "The cases one gun joins with this one through current hits (transitively), their exhibits, hits and recovered firearms",
                             tag: name, access: Self.readers, parameters: [.id("id", "the case's UUID")],
                             replies: [200: .init("the cluster", schema: Schema.ref("Cluster")), 404: .problem("no such case")])) { _, context, principal in
            try Response.json(try await self.cluster(caseID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
    }
}
