import Foundation
import Hummingbird
import ExhibitsAPI
import IFCCore
import IFCHTTP

extension Exhibits {
    func addCustodyRoutes(to routes: RouteRegistry) {
        let both: [RouteSpec.Parameter] = [.id("id", "the exhibit's UUID"), .id("tid", "the transfer's UUID")]
        routes.add(RouteSpec(.post, "/v1/exhibits/{id}/transfers", id: "sendExhibit",
                             summary: "The custodian sends the exhibit to a user, a location or an outside party: it is in transit until received",
                             tag: name, access: Self.custodians, parameters: [.id()], body: Schema.ref("NewTransfer"),
                             replies: [201: .init("in transit", schema: Schema.ref("Transfer"), headers: ["Location"]),
                                       404: .problem("no such exhibit"),
                                       409: .problem("the caller is not the custodian, or the exhibit is in transit or disposed of")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let body = try await JSONBody.decode(TransferBody.self, from: request, context: context)
            let sent = try await self.send(exhibitID: id, body.transfer, by: principal, requestID: context.requestID)
            return try Response.json(sent, status: .created,
                                     location: "/v1/exhibits/\(id.uuidString.lowercased())/transfers/\(sent.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.post, "/v1/exhibits/{id}/transfers/{tid}/receipt", id: "receiveExhibit",
                             summary: "The named receiver records the receipt (seal intact or not); for an outside party the sender records the signed receipt",
                             tag: name, access: Self.custodians, parameters: both, body: Schema.ref("NewReceipt"),
                             replies: [200: .init("received", schema: Schema.ref("Transfer")), 404: .problem("no such transfer"),
                                       409: .problem("the caller is not the receiver, or the transfer is settled already")])) { request, context, principal in
            let body = try await JSONBody.decode(ReceiptBody.self, from: request, context: context)
            let received = try await self.receive(exhibitID: try context.parameters.requireUUID("id"),
                                                  transferID: try context.parameters.requireUUID("tid"), body.receipt, by: principal,
                                                  requestID: context.requestID)
            return try Response.json(received)
        }
        routes.add(RouteSpec(.post, "/v1/exhibits/{id}/transfers/{tid}/cancel", id: "cancelExhibitTransfer",
                             summary: "The sender cancels a transfer before it is received: the exhibit is back in their custody",
                             tag: name, access: Self.custodians, parameters: both, body: Schema.ref("TransferCancellation"),
                             replies: [200: .init("cancelled", schema: Schema.ref("Transfer")), 404: .problem("no such transfer"),
                                       409: .problem("the caller is not the sender, or the transfer is settled already")])) { request, context, principal in
            let body = try await JSONBody.decode(CancelBody.self, from: request, context: context)
            let cancelled = try await self.cancel(exhibitID: try context.parameters.requireUUID("id"),
                                                  transferID: try context.parameters.requireUUID("tid"), reason: body.reason, by: principal,
                                                  requestID: context.requestID)
            return try Response.json(cancelled)
        }
        routes.add(RouteSpec(.post, "/v1/exhibits/{id}/seals", id: "resealExhibit",
                             summary: "The custodian re-seals the exhibit (after examination): the new seal number goes into the chain",
                             tag: name, access: Self.custodians, parameters: [.id()], body: Schema.ref("NewSeal"),
                             replies: [200: .init("re-sealed", schema: Schema.ref("Exhibit"), headers: ["ETag"]), 404: .problem("no such exhibit"),
                                       409: .problem("the caller is not the custodian, or the exhibit is in transit or disposed of")])) { request, context, principal in
            let body = try await JSONBody.decode(ResealBody.self, from: request, context: context)
            let sealed = try await self.reseal(exhibitID: try context.parameters.requireUUID("id"), sealNumber: body.sealNumber,
                                               reason: body.reason, by: principal, requestID: context.requestID)
            return try Response.json(sealed, version: sealed.version)
        }
        routes.add(RouteSpec(.post, "/v1/exhibits/{id}/disposition", id: "disposeExhibit",
                             summary: "The custodian records the disposition (returned, destroyed, retained, to court, confiscated) with its authority and date; "
                                 + "a destruction names its certificate and two witnesses; a firearm exhibit's disposition appends its registry event; nothing is transferred after",
                             tag: name, access: Self.custodians, parameters: [.id()], body: Schema.ref("NewDisposition"),
                             replies: [200: .init("disposed of", schema: Schema.ref("Exhibit"), headers: ["ETag"]), 404: .problem("no such exhibit"),
                                       409: .problem("the caller is not the custodian, the exhibit is in transit or disposed of already, "
                                                     + "or the registry refuses the firearm's event")])) { request, context, principal in
            let body = try await JSONBody.decode(DispositionBody.self, from: request, context: context)
            let disposed = try await self.dispose(exhibitID: try context.parameters.requireUUID("id"), body.value, by: principal,
                                                  requestID: context.requestID)
            return try Response.json(disposed, version: disposed.version)
        }
        routes.add(RouteSpec(.get, "/v1/exhibits/{id}/custody", id: "exhibitCustody",
                             summary: "The exhibit's whole chain of custody, oldest entry first: gapless and linear",
                             tag: name, access: Self.itemReaders, parameters: [.id()],
                             replies: [200: .init("the chain", schema: Schema.ref("Custody")), 404: .problem("no such exhibit")])) { _, context, principal in
            try Response.json(try await self.custody(exhibitID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
    }
}
