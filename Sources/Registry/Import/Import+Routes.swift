import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    func addImportRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/imports/firearms", id: "importFirearms",
                             summary: "Import firearms from CSV (streamed; header row naming the columns). Re-running a file adds nothing.",
                             tag: name, access: Self.writers,
                             parameters: [.init("dry_run", in: .query, schema: Schema.boolean, "validate and count only")],
                             // Lines of text as a note's (TextRule), after an optional byte order mark.
                             body: ["type": "string", "minLength": 1, "pattern": .string("^\\uFEFF?[^\(TextRule.refusedClass(.note))]*$"),
                                    "description": .string("CSV with the columns \(FirearmImport.columns.joined(separator: ", "))")],
                             bodyContentType: "text/csv",
                             replies: [200: .init("the import report", schema: Schema.ref("ImportReport")),
                                       413: .problem("the file is over the route's byte or row cap (imports.maxBytes, imports.maxRows)"),
                                       415: .problem("the body is not text/csv")],
                             idempotent: false)) { request, context, principal in
            guard let contentType = request.headers[.contentType]?.lowercased(), contentType.hasPrefix("text/csv") else {
                throw Problem(slug: "unsupported-media-type", title: "Unsupported media type", status: 415, detail: "send the CSV as text/csv")
            }
            var q = QueryParameters(request)
            let dryRun = try q.bool("dry_run") ?? false
            // The whole body is read and counted before any row is written: a file over a cap is
            // refused whole (413), never imported in part.
            let maxBytes = self.settings.importMaxBytes, maxRows = self.settings.importMaxRows
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
                throw Self.tooLarge("the file is \(length) bytes; this route takes at most \(maxBytes) (use ifcd import firearms)")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBytes)
            } catch {
                throw Self.tooLarge("the file is over \(maxBytes) bytes; this route takes at most that (use ifcd import firearms)")
            }
            let rows = body.readableBytesView.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } - 1
            if rows > maxRows {
                throw Self.tooLarge("the file has about \(rows) rows; this route takes at most \(maxRows) (use ifcd import firearms)")
            }
            let importer = FirearmImport(database: self.database, principal: principal, requestID: context.requestID, dryRun: dryRun,
                                         now: self.environment.now(), makesModels: self.settings.makesModels, logger: context.logger)
            let report = try await importer.run(AsyncStream { continuation in
                continuation.yield(Array(buffer: body))
                continuation.finish()
            })
            return try Response.json(report)
        }
    }

    static func tooLarge(_ detail: String) -> Problem {
        Problem(slug: "too-large", title: "Content too large", status: 413, detail: detail)
    }
}
