import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing

/// Every route × every role, and the ways a token can be bad, against a table written here by
/// hand. The table must name exactly the routes the router serves: a new route fails this test
/// until someone decides, in this table, who may call it.
@Suite("Authorisation matrix")
struct AuthorizationMatrixTests {
    static let readers: Set<Role> = [.clerk, .analyst, .examiner, .liaison]
    static let everyone = Set(Role.allCases)
    static let caseReaders: Set<Role> = [.analyst, .examiner, .liaison]
    static let itemReaders: Set<Role> = [.analyst, .examiner, .liaison, .evidenceOfficer]
    static let custodians: Set<Role> = [.examiner, .evidenceOfficer]
    static let traceReaders: Set<Role> = [.analyst, .liaison, .legal]

    /// nil: open to anyone without a token. Otherwise the roles that may call the route.
    static let table: [String: Set<Role>?] = [
        "GET /health": nil, "GET /ready": nil, "GET /metrics": nil, "GET /openapi.json": nil, "POST /v1/auth/token": nil,
        "DELETE /v1/auth/token": everyone, "GET /v1/me": everyone, "POST /v1/me/password": everyone,
        "POST /v1/users": [.admin], "GET /v1/users": [.admin], "GET /v1/users/{id}": [.admin], "PATCH /v1/users/{id}": [.admin],
        "GET /v1/users/{id}/tokens": [.admin], "DELETE /v1/tokens/{id}": [.admin],
        "GET /v1/audit": [.auditor], "GET /v1/audit/verify": [.auditor],
        "POST /v1/firearms": [.clerk], "GET /v1/firearms": readers, "GET /v1/firearms/search": readers,
        "GET /v1/firearms/{id}": readers, "PATCH /v1/firearms/{id}": [.clerk], "GET /v1/firearms/{id}/history": readers,
        "POST /v1/firearms/{id}/events": [.clerk], "GET /v1/firearms/{id}/events": readers,
        "POST /v1/imports/firearms": [.clerk],
        "POST /v1/holders": [.clerk], "GET /v1/holders": readers, "GET /v1/holders/{id}": readers,
        "PATCH /v1/holders/{id}": [.clerk], "GET /v1/holders/{id}/history": readers, "GET /v1/licences/{id}/history": readers,
        "POST /v1/consignments": [.clerk], "GET /v1/consignments/{id}": readers, "POST /v1/consignments/{id}/delivery": [.clerk],
        "GET /v1/consignments/{id}/history": readers,
        "POST /v1/firearms/{id}/components": [.clerk], "POST /v1/components": [.clerk], "GET /v1/components/{id}": readers,
        "POST /v1/components/{id}/events": [.clerk], "GET /v1/components/{id}/history": readers,
        "GET /v1/holders/{id}/register": [.clerk, .analyst], "POST /v1/holders/{id}/cease": [.clerk],
        "POST /v1/firearms/{id}/retention-decisions": [.clerk],
        "POST /v1/licences": [.clerk], "GET /v1/licences": readers, "GET /v1/licences/{id}": readers, "PATCH /v1/licences/{id}": [.clerk],
        // Forensics: clerks record seizures, which every reader of the registry may read.
        "POST /v1/seizures": [.clerk], "GET /v1/seizures": readers, "GET /v1/seizures/{id}": readers, "PATCH /v1/seizures/{id}": [.clerk],
        "GET /v1/seizures/{id}/history": readers,
        // Cases and examinations are the lab's: examiners write; analysts and liaison officers read;
        // clerks, who record seizures, do not see cases. Analysts link records too.
        "POST /v1/cases": [.examiner], "GET /v1/cases": caseReaders, "GET /v1/cases/{id}": caseReaders,
        "PATCH /v1/cases/{id}": [.examiner], "GET /v1/cases/{id}/history": caseReaders,
        "POST /v1/cases/{id}/links": [.analyst, .examiner], "GET /v1/cases/{id}/links": caseReaders,
        "GET /v1/cases/{id}/members": caseReaders, "POST /v1/cases/{id}/members": [.examiner],
        "DELETE /v1/cases/{id}/members/{user_id}": [.examiner],
        "POST /v1/cases/{id}/examinations": [.examiner], "GET /v1/cases/{id}/examinations": caseReaders,
        "GET /v1/examinations/{id}": caseReaders, "GET /v1/examinations/{id}/history": caseReaders,
        "PATCH /v1/examinations/{id}": [.examiner], "POST /v1/examinations/{id}/verification": [.examiner],
        "POST /v1/examinations/{id}/registry-search": [.examiner], "POST /v1/examinations/{id}/confirmation": [.examiner],
        "POST /v1/cases/{id}/examinations/{eid}/registry-search": [.examiner],
        "GET /v1/cases/{id}/report": [.analyst, .examiner, .liaison], "POST /v1/cases/{id}/reviews": [.examiner],
        "GET /v1/cases/{id}/reviews": [.analyst, .examiner, .liaison], "POST /v1/cases/{id}/reports": [.examiner],
        "GET /v1/cases/{id}/reports": [.analyst, .examiner, .liaison], "GET /v1/cases/{id}/reports/{version}": [.analyst, .examiner, .liaison],
        // Exhibits and custody are the lab's: examiners write; analysts and liaison officers read.
        // Evidence officers keep the items held in vaults: they read exhibits and move them.
        "POST /v1/exhibits": [.examiner], "GET /v1/exhibits": itemReaders, "GET /v1/exhibits/{id}": itemReaders,
        "PATCH /v1/exhibits/{id}": [.examiner], "GET /v1/exhibits/{id}/history": itemReaders, "GET /v1/exhibits/{id}/tree": itemReaders,
        "GET /v1/exhibits/{id}/custody": itemReaders, "GET /v1/cases/{id}/exhibits": itemReaders,
        "POST /v1/exhibits/{id}/transfers": custodians, "POST /v1/exhibits/{id}/transfers/{tid}/receipt": custodians,
        "POST /v1/exhibits/{id}/transfers/{tid}/cancel": custodians, "POST /v1/exhibits/{id}/seals": custodians,
        "POST /v1/exhibits/{id}/disposition": custodians,
        "POST /v1/exhibits/{id}/acquisitions": [.examiner], "GET /v1/exhibits/{id}/acquisitions": caseReaders,
        "POST /v1/leads": [.examiner], "GET /v1/leads": caseReaders, "GET /v1/leads/{id}": caseReaders,
        "POST /v1/leads/{id}/decision": [.examiner], "GET /v1/leads/{id}/decisions": caseReaders, "POST /v1/leads/{id}/withdrawal": [.examiner], "GET /v1/cases/{id}/cluster": caseReaders,
        // Tracing: liaison officers write; analysts and lawyers read; lawyers give the legal review.
        "POST /v1/traces": [.liaison], "POST /v1/traces/bulk": [.liaison], "GET /v1/traces": traceReaders,
        "GET /v1/traces/{id}": traceReaders, "PATCH /v1/traces/{id}": [.liaison], "GET /v1/traces/{id}/history": traceReaders,
        "POST /v1/traces/{id}/send": [.liaison], "POST /v1/traces/{id}/legal-review": [.legal], "POST /v1/traces/{id}/close": [.liaison],
        "GET /v1/traces/{id}/document": traceReaders, "POST /v1/traces/{id}/messages": [.liaison],
        "GET /v1/traces/{id}/messages": traceReaders, "POST /v1/traces/incoming": [.liaison],
        "GET /v1/traces/{id}/matches": traceReaders, "GET /v1/traces/{id}/registry-answer": [.liaison],
        // The laboratory's authorisations: managers record them; examiners and managers read them.
        "POST /v1/lab/authorisations": [.labManager], "GET /v1/lab/authorisations": [.labManager, .examiner],
        "GET /v1/lab/authorisations/{id}": [.labManager, .examiner], "GET /v1/lab/authorisations/{id}/history": [.labManager, .examiner],
        "POST /v1/lab/authorisations/{id}/end": [.labManager],
        "GET /v1/traces/{id}/members": traceReaders, "POST /v1/traces/{id}/members": [.liaison],
        "DELETE /v1/traces/{id}/members/{user_id}": [.liaison],
    ]

    @Test("the table names exactly the routes the router serves")
    func tableCoversTheRouter() async throws {
        try await withTestApp { app in
            let served = OpenAPITests.routerRoutes(app)
            #expect(Set(Self.table.keys) == served,
                    "not in the table: \(served.subtracting(Self.table.keys).sorted()); not served: \(Set(Self.table.keys).subtracting(served).sorted())")
        }
    }

    @Test("each role gets 403 where the table says no, and where it says yes a status the route documents, never 401, 403 nor a 5xx")
    func rolesAgainstTheTable() async throws {
        try await withTestApp { app in
            // The statuses each route documents in the API document the server serves.
            let document = try await app.request(.get, "/openapi.json").object
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            func documented(_ route: String) -> Set<Int> {
                let parts = route.split(separator: " ")
                let operation = paths[String(parts[1])]?[parts[0].lowercased()] as? [String: Any]
                return Set(((operation?["responses"] as? [String: Any]) ?? [:]).keys.compactMap { Int($0) })
            }
            var tokens: [Role: String] = [:]
            for role in Role.allCases { tokens[role] = try await app.token(roles: [role]) }
            // Logging out ends the token, so that route goes last, after every other one.
            for (route, allowed) in Self.table.sorted(by: { ($0.key == "DELETE /v1/auth/token" ? "~" : $0.key) < ($1.key == "DELETE /v1/auth/token" ? "~" : $1.key) }) {
                let (method, uri) = Self.request(route)
                for role in Role.allCases {
                    let response = try await app.request(method, uri, token: tokens[role], json: Self.body(method))
                    if let allowed, !allowed.contains(role) {
                        #expect(response.status == .forbidden, "\(route) as \(role): \(response.status)")
                        #expect(response.isProblem)
                    } else {
                        #expect(response.status != .forbidden && response.status != .unauthorized, "\(route) as \(role): \(response.status)")
                        // An allowed caller's request, valid or not, is never the server's fault, and its
                        // answer is one the route documents (a generated client knows every status).
                        #expect(response.status.code < 500, "\(route) as \(role): \(response.status) \(response.text)")
                        #expect(documented(route).contains(response.status.code),
                                "\(route) as \(role): \(response.status) is not among \(documented(route).sorted())")
                    }
                }
            }
        }
    }

    @Test("no token, an expired, a revoked or a disabled user's token: 401 problem+json on every protected route")
    func badTokens() async throws {
        try await withTestApp { app in
            let admin = try await app.token(roles: [.admin])
            // Every role but admin, which is held alone.
            let all = Set(Role.allCases).subtracting([.admin])
            let expired = try await app.token(roles: all, username: "expiring")
            let revoked = try await app.token(roles: all, username: "revoking")
            #expect(try await app.request(.delete, "/v1/auth/token", token: revoked).status == .noContent)
            let disabled = try await app.token(roles: all, username: "disabling")
            let users = try await app.request(.get, "/v1/users?limit=500", token: admin).object["items"] as? [[String: Any]] ?? []
            let disabledID = try #require(users.first { $0["username"] as? String == "disabling" }?["id"] as? String)
            #expect(try await app.request(.patch, "/v1/users/\(disabledID)", token: admin, json: #"{"disabled":true}"#,
                                          headers: [.ifMatch: "\"1\""]).status == .ok)
            app.clock.advance(by: 9 * 3600)  // past the 8 h life of `expiring`
            for (route, allowed) in Self.table.sorted(by: { $0.key < $1.key }) where allowed != nil {
                let (method, uri) = Self.request(route)
                for (label, token) in [("no token", nil), ("expired", expired), ("revoked", revoked), ("disabled user", disabled)] as [(String, String?)] {
                    let response = try await app.request(method, uri, token: token, json: Self.body(method))
                    #expect(response.status == .unauthorized, "\(route) with \(label): \(response.status)")
                    #expect(response.isProblem)
                }
            }
        }
    }

    static func request(_ route: String) -> (HTTPRequest.Method, String) {
        let parts = route.split(separator: " ")
        let uri = String(parts[1]).replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
            .replacingOccurrences(of: "{eid}", with: UUID().uuidString.lowercased())
            .replacingOccurrences(of: "{version}", with: "1")
            .replacingOccurrences(of: "\\{[a-z_]+\\}", with: UUID().uuidString.lowercased(), options: .regularExpression)
        return (HTTPRequest.Method(String(parts[0]))!, uri)
    }

    static func body(_ method: HTTPRequest.Method) -> String? {
        method == .post || method == .patch ? "{}" : nil
    }
}
