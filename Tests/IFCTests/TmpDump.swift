import Foundation
import Testing
@Suite("tmp dump") struct TmpDump {
    @Test func dump() async throws {
        try await withTestApp { app in
            let r = try await app.request(.get, "/openapi.json")
            try Data(r.text.utf8).write(to: URL(fileURLWithPath: "/tmp/textrules-openapi.json"))
        }
    }
}
