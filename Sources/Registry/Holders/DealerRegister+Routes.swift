import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

/// The JSON body of `POST /v1/holders/{id}/cease`.
struct CessationBody: StrictBody {
    var ceasedOn: CalendarDate
    var authority: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case authority
        case ceasedOn = "ceased_on"
    }
}

extension Registry {
    /// A dealer's register is the licensing desk's and the analysts': examiners and liaison
    /// officers reach a holder only through their own records (need-to-know, issue 24).
    static let registerReaders = RouteSpec.Access.roles([.clerk, .analyst])

    func addDealerRegisterRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.get, "/v1/holders/{id}/register", id: "dealerRegister",
                             summary: "A dealer's or broker's register: every firearm in and out, with dates and counterparties",
                             tag: name, access: Self.registerReaders, parameters: [.id(), .limit, .cursor],
                             replies: [200: .init("the register, in date order", schema: Schema.ref("DealerRegisterPage")),
                                       404: .problem("no such holder"), 409: .problem("the holder is not a dealer or broker")])) { request, context, principal in
            let q = QueryParameters(request)
            let page = try q.page(keyCount: 2)
            return try Response.json(try await self.dealerRegister(holderID: try context.parameters.requireUUID("id"), page: page,
                                                                   by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/holders/{id}/cease", id: "ceaseTrading",
                             summary: "A dealer or broker ceased trading: its register passes to the state (If-Match)",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("Cessation"),
                             replies: [200: .init("the holder", schema: Schema.ref("Holder"), headers: ["ETag"]),
                                       404: .problem("no such holder"), 409: .problem("not a dealer or broker, or ceased already")],
                             conditional: true)) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let body = try await JSONBody.decode(CessationBody.self, from: request, context: context)
            let holder = try await self.cease(holderID: id, expectedVersion: version, Cessation(ceasedOn: body.ceasedOn, authority: body.authority),
                                              by: principal, requestID: context.requestID)
            return try Response.json(holder, version: holder.version)
        }
    }

    static var dealerRegisterSchemas: [String: JSONValue] {
        let entry: [String: JSONValue] = [
            "direction": Schema.enumeration(["in", "out"]), "entry_id": Schema.uuid, "kind": Schema.string, "occurred_on": Schema.date,
            "firearm_id": Schema.uuid, "firearm_reference": Schema.string, "make": Schema.string, "model": Schema.nullable("string"),
            "serial": Schema.nullable("string"), "counterparty_holder_id": Schema.nullable("string", format: "uuid"),
            "counterparty_name": Schema.nullable("string"), "counterparty_country": ["oneOf": [Schema.country, ["type": "null"]]],
        ]
        return [
            "RegisterEntry": Schema.object(entry, required: Array(entry.keys)),
            "DealerRegisterPage": Schema.page(of: Schema.ref("RegisterEntry")),
            "Cessation": Schema.object(["ceased_on": Schema.date, "authority": ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"]],
                                       required: ["ceased_on", "authority"]),
        ]
    }
}
