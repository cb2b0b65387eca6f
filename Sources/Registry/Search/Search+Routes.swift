import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

/// What `GET /v1/firearms/search` answers.
struct SearchResult: Encodable {
    var items: [Firearm]
    var matches: [SearchMatch]
    var pattern: String
    var confusables: Bool
    var fuzzy: Bool
}

extension Registry {
    func addSearchRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.get, "/v1/firearms/search", id: "searchFirearms",
                             summary: "Search partially obliterated serials: ? one unknown character, * an unknown run",
                             tag: name, access: Self.readers,
                             parameters: [.init("serial", in: .query, required: true, schema: Schema.serialPattern,
                                                "the pattern, e.g. AB?12*9 (at least 3 known characters; it starts with one or holds three in a row)"),
                                          .init("confusables", in: .query, schema: Schema.boolean, "treat O/0, I/1/L, S/5, B/8, Z/2 as equal"),
                                          .init("fuzzy", in: .query, schema: Schema.boolean,
                                                "also serials one or two edits away (a serial without wildcards), after the exact and pattern matches, with their distance"),
                                          .init("make", in: .query, schema: Schema.text(max: 100), "narrows fuzzy matches to this make (any case)"),
                                          .init("type", in: .query, schema: Schema.enumeration(FirearmType.allCases.map(\.rawValue)), "narrows fuzzy matches to this type"),
                                          .init("limit", in: .query, schema: ["type": "integer", "minimum": 1, "maximum": 500], "most results (default 50)")],
                             replies: [200: .init("matches, exact first, then closest", schema: Schema.ref("FirearmSearch"))])) { request, context, principal in
            var q = QueryParameters(request)
            let serial = try q.requiredText("serial")
            let confusables = try q.bool("confusables") ?? false
            let fuzzy = try q.bool("fuzzy") ?? false
            let make = try q.text("make", max: 100)
            let type = try q.value("type", as: FirearmType.self)
            let limit = try q.page(keyCount: 0).limit
            let (found, matches) = try await self.searchWithParts(pattern: serial, confusables: confusables, fuzzy: fuzzy, make: make, type: type,
                                                                  limit: limit, by: principal, requestID: context.requestID)
            return try Response.json(SearchResult(items: found, matches: matches, pattern: Serial.Pattern(serial)?.normalized ?? serial,
                                                  confusables: confusables, fuzzy: fuzzy))
        }
    }
}
