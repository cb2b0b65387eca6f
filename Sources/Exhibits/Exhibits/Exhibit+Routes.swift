import Foundation
import Hummingbird
import ExhibitsAPI
import IFCCore
import IFCHTTP

extension Exhibits {
    func addExhibitRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/exhibits", id: "createExhibit",
                             summary: "Take an exhibit of a case into the lab: the caller becomes its custodian",
                             tag: name, access: Self.writers, body: Schema.ref("NewExhibit"),
                             replies: [201: .init("received", schema: Schema.ref("Exhibit"), headers: ["ETag", "Location"]),
                                       409: .problem("the barcode is on another exhibit already")])) { request, context, principal in
            let fields = try await JSONBody.decode(ExhibitBody.self, from: request, context: context).newExhibit(today: self.today)
            let created = try await self.createExhibit(fields, by: principal, requestID: context.requestID)
            return try Response.json(created, status: .created, version: created.version,
                                     location: "/v1/exhibits/\(created.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/exhibits", id: "listExhibits",
                             summary: "Exhibits, newest first: held by me (custodian=me) or a user, by case, location, barcode, status, or in transit for longer than N hours",
                             tag: name, access: Self.itemReaders,
                             parameters: [.limit, .cursor,
                                          .init("custodian", in: .query, schema: Schema.text(max: 64), "`me`, or a username: exhibits that user holds"),
                                          .init("case_id", in: .query, schema: Schema.uuid, "exhibits of this case"),
                                          .init("location", in: .query, schema: Schema.text(max: 200), "exhibits stored at this location (exact)"),
                                          .init("barcode", in: .query, schema: Schema.text(max: 100), "the exhibit with this barcode"),
                                          .init("status", in: .query, schema: Schema.ref("ExhibitStatus"), "held, in transit or disposed of"),
                                          .init("in_transit_hours", in: .query, schema: ["type": "integer", "minimum": 0, "maximum": 87600],
                                                "exhibits sent more than this many hours ago and not yet received"),
                                          .init("incoming", in: .query, schema: Schema.enumeration(["me"]),
                                                "`me`: exhibits in transit to the caller now, to receive")],
                             replies: [200: .init("a page of exhibits", schema: Schema.ref("ExhibitPage"))])) { request, context, principal in
            var q = QueryParameters(request)
            var custodian = try q.text("custodian", max: 64)
            if custodian == "me" { custodian = principal.username }
            let hours = try q.integer("in_transit_hours", in: 0...87600)
            var filter = ExhibitStore.ListFilter(custodian: custodian, caseID: try q.uuid("case_id"), location: try q.text("location", max: 200),
                                                 barcode: try q.text("barcode", max: 100), status: try q.value("status", as: ExhibitStatus.self),
                                                 inTransitSince: hours.map { self.environment.now().addingTimeInterval(-Double($0) * 3600) })
            if let incoming = try q.text("incoming", max: 2) {
                guard incoming == "me" else { throw Problem.invalid("incoming", "must be me") }
                filter.incomingTo = principal.username
            }
            let page = try q.page(keyCount: 2)
            if let after = page.after, Int64(after[0]) == nil || UUID(uuidString: after[1]) == nil {
                throw Problem.invalid("cursor", "is not a cursor this list issued")
            }
            return try Response.json(try await self.exhibits(filter, page: page, query: q.terms, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/exhibits/{id}", id: "getExhibit", summary: "Read an exhibit", tag: name, access: Self.itemReaders,
                             parameters: [.id()],
                             replies: [200: .init("the exhibit", schema: Schema.ref("Exhibit"), headers: ["ETag"]),
                                       404: .problem("no such exhibit")])) { _, context, principal in
            let found = try await self.exhibit(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(found, version: found.version)
        }
        routes.add(.update("/v1/exhibits/{id}", id: "changeExhibit",
                           summary: "Correct an exhibit's description: a new version; the old one stays in the history",
                           record: "exhibit", tag: name, access: Self.writers, body: "ExhibitChanges", result: "Exhibit",
                           refusals: [409: .problem("the exhibit is disposed of")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let changes = try await JSONBody.decode(Patch<ExhibitFields>.self, from: request, context: context)
            let updated = try await self.changeExhibit(id: id, expectedVersion: version, changes, by: principal, requestID: context.requestID)
            return try Response.json(updated, version: updated.version)
        }
        routes.add(.history("/v1/exhibits/{id}/history", id: "exhibitHistory", record: "exhibit", tag: name, access: Self.itemReaders,
                            versionSchema: "ExhibitVersion")) { _, context, principal in
            try Response.json(try await self.exhibitHistory(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/exhibits/{id}/tree", id: "exhibitTree",
                             summary: "The exhibit's family: its root exhibit and every test-fire or sub-item derived from it, at any depth",
                             tag: name, access: Self.itemReaders, parameters: [.id()],
                             replies: [200: .init("the tree from the root", schema: Schema.ref("ExhibitNode")),
                                       404: .problem("no such exhibit")])) { _, context, principal in
            try Response.json(try await self.exhibitTree(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}/exhibits", id: "listCaseExhibits",
                             summary: "A case's exhibits, oldest first, and whether a seal on any of them was found broken",
                             tag: name, access: Self.itemReaders, parameters: [.id("id", "the case's UUID")],
                             replies: [200: .init("the case's exhibits", schema: Schema.ref("CaseExhibits")),
                                       404: .problem("no such case")])) { _, context, principal in
            try Response.json(try await self.caseExhibits(caseID: try context.parameters.requireUUID("id"), by: principal,
                                                          requestID: context.requestID))
        }
    }
}
