import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    func addComponentRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/firearms/{id}/components", id: "addFirearmComponent",
                             summary: "Record an essential component of a firearm with its own markings", tag: name, access: Self.writers,
                             parameters: [.id()], body: Schema.ref("NewComponent"),
                             replies: [201: .init("recorded", schema: Schema.ref("Component"), headers: ["ETag", "Location"]),
                                       404: .problem("no such firearm")])) { request, context, principal in
            let firearmID = try context.parameters.requireUUID("id")
            let new = try await JSONBody.decode(ComponentBody.self, from: request, context: context).component()
            let component = try await self.recordComponent(new, firearmID: firearmID, by: principal, requestID: context.requestID)
            return try Response.json(component, status: .created, version: component.version,
                                     location: "/v1/components/\(component.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.post, "/v1/components", id: "recordComponent",
                             summary: "Record a loose essential component (a record of its own, with its own lifecycle)", tag: name,
                             access: Self.writers, body: Schema.ref("NewComponent"),
                             replies: [201: .init("recorded", schema: Schema.ref("Component"), headers: ["ETag", "Location"])])) { request, context, principal in
            let new = try await JSONBody.decode(ComponentBody.self, from: request, context: context).component()
            let component = try await self.recordComponent(new, firearmID: nil, by: principal, requestID: context.requestID)
            return try Response.json(component, status: .created, version: component.version,
                                     location: "/v1/components/\(component.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/components/{id}", id: "getComponent", summary: "Read a component with its lifecycle events", tag: name,
                             access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the component", schema: Schema.ref("ComponentDetail"), headers: ["ETag"]),
                                       404: .problem("no such component")])) { _, context, principal in
            let detail = try await self.componentDetail(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(detail, version: detail.component.version)
        }
        routes.add(RouteSpec(.post, "/v1/components/{id}/events", id: "appendComponentEvent",
                             summary: "Record a loose component's lifecycle event (lost, stolen, seized, destroyed, …)", tag: name,
                             access: Self.writers, parameters: [.id()], body: Schema.ref("NewComponentEvent"),
                             replies: [201: .init("recorded", schema: Schema.ref("ComponentEvent")), 404: .problem("no such component"),
                                       409: .problem("the event makes no sense for the component's status")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let event = try await JSONBody.decode(ComponentEventBody.self, from: request, context: context).event()
            let (recorded, _) = try await self.appendComponentEvent(componentID: id, event, by: principal, requestID: context.requestID)
            return try Response.json(recorded, status: .created)
        }
        routes.add(.history("/v1/components/{id}/history", id: "componentHistory", record: "component", tag: name, access: Self.readers,
                            versionSchema: "ComponentVersion")) { _, context, principal in
            try Response.json(try await self.componentHistory(id: try context.parameters.requireUUID("id"), by: principal,
                                                              requestID: context.requestID))
        }
    }
}
