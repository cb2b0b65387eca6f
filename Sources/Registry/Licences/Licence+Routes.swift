import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    func addLicenceRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/licences", id: "issueLicence", summary: "Record a licence issued to a holder, covering firearms",
                             tag: name, access: Self.writers, body: Schema.ref("NewLicence"),
                             replies: [201: .init("recorded", schema: Schema.ref("Licence"), headers: ["ETag", "Location"]),
                                       409: .problem("a licence with this number exists")])) { request, context, principal in
            let new = try await JSONBody.decode(LicenceBody.self, from: request, context: context).licence()
            let licence = try await self.issueLicence(new, by: principal, requestID: context.requestID)
            return try Response.json(licence, status: .created, version: licence.version,
                                     location: "/v1/licences/\(licence.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/licences", id: "listLicences", summary: "List licences, by holder", tag: name, access: Self.readers,
                             parameters: [.limit, .cursor, .init("holder_id", in: .query, schema: Schema.uuid, "the holder")],
                             replies: [200: .init("a page of licences in number order", schema: Schema.ref("LicencePage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let holderID = try q.uuid("holder_id")
            let page = try q.page(keyCount: 1)
            return try Response.json(try await self.licences(holderID: holderID, page: page, query: q.terms, by: principal,
                                                             requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/licences/{id}", id: "getLicence", summary: "Read a licence and its effective status", tag: name,
                             access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the licence", schema: Schema.ref("Licence"), headers: ["ETag"]),
                                       404: .problem("no such licence")])) { _, context, principal in
            let licence = try await self.licence(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(licence, version: licence.version)
        }
        routes.add(.update("/v1/licences/{id}", id: "changeLicence", summary: "Revoke, suspend or reinstate a licence, or change its end date",
                           record: "licence", tag: name, access: Self.writers, body: "LicenceChanges", result: "Licence",
                           refusals: [409: .problem("a revoked licence cannot be reinstated")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let changes = try await JSONBody.decode(LicenceChangeBody.self, from: request, context: context).changes()
            let licence = try await self.changeLicence(id: id, expectedVersion: version, changes, by: principal, requestID: context.requestID)
            return try Response.json(licence, version: licence.version)
        }
        routes.add(.history("/v1/licences/{id}/history", id: "licenceHistory", record: "licence", tag: name, access: Self.readers,
                            versionSchema: "LicenceVersion")) { _, context, principal in
            try Response.json(try await self.licenceHistory(id: try context.parameters.requireUUID("id"), by: principal,
                                                            requestID: context.requestID))
        }
    }
}
