import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import Testing

/// Personal data is found, not browsed (issue 24): a holder search names whom it looks for, for
/// every role, and a dealer's register is read by the licensing desk and analysts only.
@Suite("Need-to-know: holders")
struct PersonalDataTests {
    @Test("GET /v1/holders without a name, id_number or date_of_birth is 422 for every role that reads holders; a dealer's register is 403 for examiners and liaison officers")
    func holdersAreFoundNotBrowsed() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let dealer = try #require(try await app.request(.post, "/v1/holders", token: clerk,
                                                            json: #"{"kind":"dealer","name":"Kingston Arms Ltd","country":"JM"}"#).object["id"] as? String)
            for roles in [[Role.clerk], [.analyst], [.examiner], [.liaison]] {
                let token = try await app.token(roles: Set(roles))
                let browse = try await app.request(.get, "/v1/holders?limit=500", token: token)
                #expect(browse.status == .unprocessableContent, "\(roles)")
                #expect(try browse.problemFields == ["name"])
                #expect(try await app.request(.get, "/v1/holders?name=Kingston", token: token).status == .ok, "\(roles)")
                let register = try await app.request(.get, "/v1/holders/\(dealer)/register", token: token).status
                #expect(register == (roles == [.clerk] || roles == [.analyst] ? .ok : .forbidden), "\(roles): \(register)")
            }
        }
    }
}
