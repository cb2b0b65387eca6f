import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    func addConsignmentRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/consignments", id: "recordConsignment",
                             summary: "Record an export or import of many firearms in one transfer (a transfer event for each)",
                             tag: name, access: Self.writers, body: Schema.ref("NewConsignment"),
                             replies: [201: .init("recorded", schema: Schema.ref("Consignment"), headers: ["ETag", "Location"]),
                                       409: .problem("a firearm's status does not allow the transfer")])) { request, context, principal in
            let new = try await JSONBody.decode(ConsignmentBody.self, from: request, context: context).consignment()
            let consignment = try await self.recordConsignment(new, by: principal, requestID: context.requestID)
            return try Response.json(consignment, status: .created, version: consignment.version,
                                     location: "/v1/consignments/\(consignment.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/consignments/{id}", id: "getConsignment", summary: "Read a consignment", tag: name,
                             access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the consignment", schema: Schema.ref("Consignment"), headers: ["ETag"]),
                                       404: .problem("no such consignment")])) { _, context, principal in
            let consignment = try await self.consignment(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(consignment, version: consignment.version)
        }
        routes.add(RouteSpec(.post, "/v1/consignments/{id}/delivery", id: "verifyConsignmentDelivery",
                             summary: "Record the importing state's confirmation that the consignment arrived (If-Match)",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("DeliveryVerification"),
                             replies: [200: .init("the consignment", schema: Schema.ref("Consignment"), headers: ["ETag"]),
                                       404: .problem("no such consignment"), 409: .problem("the delivery was verified already")],
                             conditional: true)) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let body = try await JSONBody.decode(DeliveryBody.self, from: request, context: context)
            let consignment = try await self.verifyDelivery(consignmentID: id, expectedVersion: version,
                                                            DeliveryVerification(verifiedOn: body.verifiedOn, document: body.document),
                                                            by: principal, requestID: context.requestID)
            return try Response.json(consignment, version: consignment.version)
        }
        routes.add(.history("/v1/consignments/{id}/history", id: "consignmentHistory", record: "consignment", tag: name,
                            access: Self.readers, versionSchema: "ConsignmentVersion")) { _, context, principal in
            try Response.json(try await self.consignmentHistory(id: try context.parameters.requireUUID("id"), by: principal,
                                                                requestID: context.requestID))
        }
    }
}
