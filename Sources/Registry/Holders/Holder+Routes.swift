import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    func addHolderRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/holders", id: "createHolder", summary: "Record a holder (person or organisation)",
                             tag: name, access: Self.writers, body: Schema.ref("NewHolder"),
                             replies: [201: .init("recorded", schema: Schema.ref("Holder"), headers: ["ETag", "Location"])])) { request, context, principal in
            let new = try await JSONBody.decode(HolderBody.self, from: request, context: context).holder()
            let holder = try await self.createHolder(new, by: principal, requestID: context.requestID)
            return try Response.json(holder, status: .created, version: holder.version,
                                     location: "/v1/holders/\(holder.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/holders", id: "listHolders", summary: "Find holders by name (also misspelt), identity number, or date of birth and name: at least one of them (personal data is found, not browsed)",
                             tag: name, access: Self.readers,
                             parameters: [.limit, .cursor,
                                          .init("name", in: .query, schema: Schema.text(max: 300),
                                                "part of the name, or a misspelling of a word of it (case-insensitive, trigram similarity)"),
                                          .init("id_number", in: .query, schema: Schema.text(max: 100), "identity document or registration number (exact)"),
                                          .init("date_of_birth", in: .query, schema: Schema.date, "date of birth (exact), e.g. with a name")],
                             replies: [200: .init("a page of holders in name order", schema: Schema.ref("HolderPage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let name = try q.text("name", max: 300)
            let idNumber = try q.text("id_number", max: 100)
            let dateOfBirth = try q.date("date_of_birth")
            let page = try q.page(keyCount: 2)
            // Personal data is found, never browsed: every role names whom it looks for.
            if name == nil && idNumber == nil && dateOfBirth == nil {
                throw Problem.validation([.init(field: "name", detail: "a holder search names a name, an id_number or a date_of_birth")])
            }
            return try Response.json(try await self.holders(name: name, idNumber: idNumber, dateOfBirth: dateOfBirth, page: page,
                                                            query: q.terms, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/holders/{id}", id: "getHolder", summary: "Read a holder", tag: name, access: Self.readers,
                             parameters: [.id()],
                             replies: [200: .init("the holder", schema: Schema.ref("Holder"), headers: ["ETag"]),
                                       404: .problem("no such holder")])) { _, context, principal in
            let holder = try await self.holder(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(holder, version: holder.version)
        }
        routes.add(.update("/v1/holders/{id}", id: "changeHolder",
                           summary: "Change a holder (e.g. a new address): a new version; the old one stays in the history",
                           record: "holder", tag: name, access: Self.writers, body: "HolderChanges", result: "Holder")) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let patch = try await JSONBody.decode(Patch<NewHolder>.self, from: request, context: context)
            let holder = try await self.changeHolder(id: id, expectedVersion: version, patch.applied(to:), by: principal,
                                                     requestID: context.requestID)
            return try Response.json(holder, version: holder.version)
        }
        routes.add(.history("/v1/holders/{id}/history", id: "holderHistory", record: "holder", tag: name, access: Self.readers,
                            versionSchema: "HolderVersion")) { _, context, principal in
            try Response.json(try await self.holderHistory(id: try context.parameters.requireUUID("id"), by: principal,
                                                           requestID: context.requestID))
        }
    }
}
