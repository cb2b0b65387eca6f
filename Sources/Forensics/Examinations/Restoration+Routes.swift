import Foundation
import Hummingbird
import ForensicsAPI
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/examinations/{id}/confirmation`.
struct ConfirmationBody: StrictBody {
    var firearmID: UUID
    enum CodingKeys: String, CodingKey, CaseIterable { case firearmID = "firearm_id" }
}

extension Forensics {
    func addRestorationRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/examinations/{id}/registry-search", id: "searchRegistryForRestoredSerial",
                             summary: "Search the registry with the restored partial serial (? unknown characters, confusables on); the candidates are kept",
                             tag: name, access: Self.caseWriters, parameters: [.id("id", "the examination's UUID")],
                             replies: [200: .init("the examination with its candidates", schema: Schema.ref("Examination"), headers: ["ETag"]),
                                       404: .problem("no such examination"),
                                       409: .problem("not a serial restoration, no recovered serial yet, a serial that cannot be searched, or a candidate confirmed already")])) { _, context, principal in
            let searched = try await self.searchRegistry(examinationID: try context.parameters.requireUUID("id"), by: principal,
                                                         requestID: context.requestID)
            return try Response.json(searched, version: searched.version)
        }
        // The contract path, naming the case and the examination.
        routes.add(RouteSpec(.post, "/v1/cases/{id}/examinations/{eid}/registry-search", id: "searchRegistryForCaseExamination",
                             summary: "Search the registry with an examination's restored partial serial (the same as /v1/examinations/{id}/registry-search)",
                             tag: name, access: Self.caseWriters,
                             parameters: [.id("id", "the case's UUID"), .id("eid", "the examination's UUID")],
                             replies: [200: .init("the examination with its candidates", schema: Schema.ref("Examination"), headers: ["ETag"]),
                                       404: .problem("no such examination in this case"),
                                       409: .problem("not a serial restoration, no recovered serial yet, a serial that cannot be searched, or a candidate confirmed already")])) { _, context, principal in
            let searched = try await self.searchRegistry(examinationID: try context.parameters.requireUUID("eid"),
                                                         caseID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(searched, version: searched.version)
        }
        routes.add(RouteSpec(.post, "/v1/examinations/{id}/confirmation", id: "confirmRestoredSerialCandidate",
                             summary: "Confirm a candidate: the firearm is linked to the case and its marking recorded as restored in the registry",
                             tag: name, access: Self.caseWriters, parameters: [.id("id", "the examination's UUID")], body: Schema.ref("CandidateConfirmation"),
                             replies: [200: .init("the examination with the confirmed firearm", schema: Schema.ref("Examination"), headers: ["ETag"]),
                                       404: .problem("no such examination"),
                                       409: .problem("the registry was not searched yet, or a candidate was confirmed already")])) { request, context, principal in
            let body = try await JSONBody.decode(ConfirmationBody.self, from: request, context: context)
            let confirmed = try await self.confirmCandidate(examinationID: try context.parameters.requireUUID("id"), firearmID: body.firearmID,
                                                            by: principal, requestID: context.requestID)
            return try Response.json(confirmed, version: confirmed.version)
        }
    }

    static var restorationSchemas: [String: JSONValue] {
        ["CandidateConfirmation": Schema.object(["firearm_id": Schema.uuid], required: ["firearm_id"])]
    }
}
