import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    func addEventRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/firearms/{id}/events", id: "appendFirearmEvent",
                             summary: "Record a lifecycle event; the status follows from it (If-Match optional)",
                             tag: name, access: Self.writers,
                             parameters: [.id(), .init("If-Match", in: .header, schema: Schema.etag, "the firearm's ETag; when given, a stale version is 412")],
                             body: Schema.ref("NewFirearmEvent"),
                             replies: [201: .init("recorded", schema: Schema.ref("FirearmEventResult"), headers: ["ETag"]),
                                       404: .problem("no such firearm"),
                                       409: .problem("the event makes no sense for the firearm's status"),
                                       412: .problem("If-Match names a stale version")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.optionalVersion(request)
            let event = try await JSONBody.decode(EventBody.self, from: request, context: context).event()
            let (recorded, firearm) = try await self.appendEvent(firearmID: id, expectedVersion: version, event, by: principal,
                                                                 requestID: context.requestID)
            return try Response.json(EventResult(event: recorded, firearm: try await self.disclosed(firearm, to: principal)), status: .created,
                                     version: firearm.version)
        }
        routes.add(RouteSpec(.get, "/v1/firearms/{id}/events", id: "listFirearmEvents", summary: "A firearm's lifecycle events, in date order",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the events", schema: Schema.array(Schema.ref("FirearmEvent"))),
                                       404: .problem("no such firearm")])) { _, context, principal in
            try Response.json(try await self.events(firearmID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
    }
}
