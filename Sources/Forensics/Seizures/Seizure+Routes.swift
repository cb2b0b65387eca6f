import Foundation
import Hummingbird
import ForensicsAPI
import IFCCore
import IFCHTTP

extension Forensics {
    func addSeizureRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/seizures", id: "createSeizure",
                             summary: "Record a seizure; each firearm is a registry record (a seized event on it) or a new illicit find",
                             tag: name, access: Self.seizureWriters, body: Schema.ref("NewSeizure"),
                             replies: [201: .init("recorded", schema: Schema.ref("Seizure"), headers: ["ETag", "Location"]),
                                       409: .problem("a firearm the registry shows destroyed or seized already, or a described firearm the registry holds")]))
        { request, context, principal in
            let new = try await JSONBody.decode(SeizureBody.self, from: request, context: context).seizure()
            let seizure = try await self.createSeizure(new, by: principal, requestID: context.requestID)
            return try Response.json(seizure, status: .created, version: seizure.version,
                                     location: "/v1/seizures/\(seizure.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/seizures", id: "listSeizures", summary: "Seizures, newest first, by country, context, date or firearm",
                             tag: name, access: Self.seizureReaders,
                             parameters: [.limit, .cursor,
                                          .init("country", in: .query, schema: Schema.country, "country of the seizure (ISO 3166-1 alpha-2)"),
                                          .init("context", in: .query, schema: Schema.ref("SeizureContext"), "where the items were seized"),
                                          .init("seized_from", in: .query, schema: Schema.date, "seized on or after this day"),
                                          .init("seized_to", in: .query, schema: Schema.date, "seized on or before this day"),
                                          .init("firearm_id", in: .query, schema: Schema.uuid, "seizures of this registry firearm")],
                             replies: [200: .init("a page of seizures, newest first", schema: Schema.ref("SeizurePage"))])) { request, context, principal in
            var q = QueryParameters(request)
            let filter = SeizureStore.ListFilter(country: try q.country("country"), context: try q.value("context", as: SeizureContext.self),
                                                 from: try q.date("seized_from"), to: try q.date("seized_to"), firearmID: try q.uuid("firearm_id"))
            let page = try q.page(keyCount: 2)
            if let after = page.after, CalendarDate(after[0]) == nil || UUID(uuidString: after[1]) == nil {
                throw Problem.invalid("cursor", "is not a cursor this list issued")
            }
            return try Response.json(try await self.seizures(filter, page: page, query: q.terms, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/seizures/{id}", id: "getSeizure", summary: "Read a seizure", tag: name, access: Self.seizureReaders,
                             parameters: [.id()],
                             replies: [200: .init("the seizure", schema: Schema.ref("Seizure"), headers: ["ETag"]),
                                       404: .problem("no such seizure")])) { _, context, principal in
            let seizure = try await self.seizure(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(seizure, version: seizure.version)
        }
        routes.add(.update("/v1/seizures/{id}", id: "correctSeizure",
                           summary: "Correct a seizure (its firearms excepted): a new version; the old one stays in the history",
                           record: "seizure", tag: name, access: Self.seizureWriters, body: "SeizureChanges", result: "Seizure")) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let patch = try await JSONBody.decode(Patch<SeizureFields>.self, from: request, context: context)
            let seizure = try await self.changeSeizure(id: id, expectedVersion: version, patch.applied(to:), by: principal, requestID: context.requestID)
            return try Response.json(seizure, version: seizure.version)
        }
        routes.add(.history("/v1/seizures/{id}/history", id: "seizureHistory", record: "seizure", tag: name, access: Self.seizureReaders,
                            versionSchema: "SeizureVersion")) { _, context, principal in
            try Response.json(try await self.seizureHistory(id: try context.parameters.requireUUID("id"), by: principal,
                                                            requestID: context.requestID))
        }
    }
}
