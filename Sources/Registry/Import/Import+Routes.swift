import Foundation
import Hummingbird
import IFCCore
import IFCHTTP

extension Registry {
    func addImportRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/imports/firearms", id: "importFirearms",
                             summary: "Import firearms from CSV (streamed; header row naming the columns). Re-running a file adds nothing.",
                             tag: name, access: Self.writers,
                             parameters: [.init("dry_run", in: .query, schema: Schema.boolean, "validate and count only")],
                             body: ["type": "string", "minLength": 1,
                                    "description": .string("CSV with the columns \(FirearmImport.columns.joined(separator: ", "))")],
                             bodyContentType: "text/csv",
                             replies: [200: .init("the import report", schema: Schema.ref("ImportReport")),
                                       415: .problem("the body is not text/csv")],
                             idempotent: false)) { request, context, principal in
            guard let contentType = request.headers[.contentType]?.lowercased(), contentType.hasPrefix("text/csv") else {
                throw Problem(slug: "unsupported-media-type", title: "Unsupported media type", status: 415, detail: "send the CSV as text/csv")
            }
            var q = QueryParameters(request)
            let dryRun = try q.bool("dry_run") ?? false
            let importer = FirearmImport(database: self.database, principal: principal, requestID: context.requestID, dryRun: dryRun,
                                         now: self.environment.now(), makesModels: self.settings.makesModels, logger: context.logger)
            let report = try await importer.run(request.body.map { Array(buffer: $0) })
            return try Response.json(report)
        }
    }
}
