import Foundation
import HTTPTypes
import IFCCore
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    /// "GET /v1/users/{id}" for every route the router really serves.
    static func routerRoutes(_ app: TestApp) -> Set<String> {
        Set(app.parts.router.routes.map { route in
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { part in
                part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
            }.joined(separator: "/")
            return "\(route.method.rawValue) \(path)"
        })
    }

    @Test("/openapi.json is OpenAPI 3.1 and lists exactly the routes the router serves")
    func documentMatchesRouter() async throws {
        try await withTestApp { app in
            let response = try await app.request(.get, "/openapi.json")
            #expect(response.status == .ok)
            let document = try response.object
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            let served = Self.routerRoutes(app)
            #expect(served.count >= 12)
            #expect(documented == served, "only documented: \(documented.subtracting(served)); only served: \(served.subtracting(documented))")
            // Every $ref points at a declared schema.
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let text = response.text
            let refs = text.matches(of: /"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/).map { String($0.output.1) }
            #expect(!refs.isEmpty)
            for ref in Set(refs) { #expect(schemas[ref] != nil, "missing schema \(ref)") }
        }
    }

    @Test("every route but health, ready, metrics, openapi.json and login demands a token, as documented")
    func everyRouteIsAuthenticated() async throws {
        let open: Set<String> = ["GET /health", "GET /ready", "GET /metrics", "GET /openapi.json", "POST /v1/auth/token"]
        try await withTestApp { app in
            let document = try await app.request(.get, "/openapi.json").object
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            for route in Self.routerRoutes(app) {
                let parts = route.split(separator: " ")
                let method = HTTPRequest.Method(String(parts[0]))!
                let path = String(parts[1])
                let operation = try #require(paths[path]?[method.rawValue.lowercased()])
                let security = operation["security"] as? [Any]
                // Every path parameter ({id}, {eid}, {version}, …) gets a well-formed id.
                let uri = path.replacingOccurrences(of: "\\{[a-z_]+\\}", with: UUID().uuidString.lowercased(), options: .regularExpression)
                let response = try await app.request(method, uri, json: method == .get || method == .delete ? nil : "{}")
                if open.contains(route) {
                    #expect(security?.isEmpty == true, "\(route) should be documented as open")
                    #expect(response.status != .unauthorized, "\(route)")
                } else {
                    #expect(security?.isEmpty == false, "\(route) should be documented as needing a token")
                    #expect(response.status == .unauthorized, "\(route) answered \(response.status) without a token")
                    #expect(response.isProblem)
                }
            }
        }
    }

    @Test("ids leave the API in lower case, as Location headers carry them")
    func lowercaseIDs() async throws {
        try await withTestApp { app in
            let token = try await app.token(roles: [.analyst])
            let me = try await app.request(.get, "/v1/me", token: token)
            let id = try #require(try me.object["id"] as? String)
            #expect(id == id.lowercased())
            #expect(UUID(uuidString: id) != nil)
        }
    }
}
