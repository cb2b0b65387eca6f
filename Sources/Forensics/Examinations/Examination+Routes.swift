import Foundation
import Hummingbird
import ForensicsAPI
import IFCCore
import IFCHTTP

extension Forensics {
    func addExaminationRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/cases/{id}/examinations", id: "createExamination",
                             summary: "Record an examination of the case's items (the caller is its examiner)",
                             tag: name, access: Self.caseWriters, parameters: [.id()], body: Schema.ref("NewExamination"),
                             replies: [201: .init("recorded", schema: Schema.ref("Examination"), headers: ["ETag"]),
                                       404: .problem("no such case"), 409: .problem("the case is closed")])) { request, context, principal in
            let fields = try await JSONBody.decode(ExaminationBody.self, from: request, context: context).examination()
            let recorded = try await self.createExamination(caseID: try context.parameters.requireUUID("id"), fields, by: principal,
                                                            requestID: context.requestID)
            return try Response.json(recorded, status: .created, version: recorded.version)
        }
        routes.add(RouteSpec(.get, "/v1/cases/{id}/examinations", id: "listExaminations", summary: "The case's examinations, oldest first",
                             tag: name, access: Self.caseReaders, parameters: [.id()],
                             replies: [200: .init("the examinations", schema: Schema.array(Schema.ref("Examination"))),
                                       404: .problem("no such case")])) { _, context, principal in
            try Response.json(try await self.examinations(caseID: try context.parameters.requireUUID("id"), by: principal,
                                                          requestID: context.requestID))
        }
        routes.add(RouteSpec(.patch, "/v1/examinations/{id}", id: "changeExamination",
                             summary: "Record progress or correct an examination: a new version; the old one stays in the history",
                             tag: name, access: Self.caseWriters, parameters: [.id("id", "the examination's UUID")], body: Schema.ref("ExaminationChanges"),
                             replies: [200: .init("the new version", schema: Schema.ref("Examination"), headers: ["ETag"]),
                                       403: .problem("the role is not held, or the caller is not the examination's examiner"),
                                       404: .problem("no such examination"),
                                       409: .problem("the case is closed, or a searched serial would change")],
                             conditional: true)) { request, context, principal in
            let version = try ETag.requiredVersion(request)
            let patch = try await JSONBody.decode(Patch<ExaminationFields>.self, from: request, context: context)
            let updated = try await self.changeExamination(id: try context.parameters.requireUUID("id"), expectedVersion: version,
                                                           { ExaminationFields.corrected($0, by: patch) },
                                                           by: principal, requestID: context.requestID)
            return try Response.json(updated, version: updated.version)
        }
        routes.add(RouteSpec(.get, "/v1/examinations/{id}", id: "getExamination", summary: "Read an examination",
                             tag: name, access: Self.caseReaders, parameters: [.id("id", "the examination's UUID")],
                             replies: [200: .init("the examination", schema: Schema.ref("Examination"), headers: ["ETag"]),
                                       404: .problem("no such examination, or its case is not to be seen")])) { _, context, principal in
            let found = try await self.examination(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(found, version: found.version)
        }
        routes.add(.history("/v1/examinations/{id}/history", id: "examinationHistory", record: "examination", tag: name,
                            access: Self.caseReaders, versionSchema: "ExaminationVersion")) { _, context, principal in
            try Response.json(try await self.examinationHistory(id: try context.parameters.requireUUID("id"), by: principal,
                                                                requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/examinations/{id}/verification", id: "verifyExamination",
                             summary: "Verify an identification as a second examiner (never the one who made it)",
                             tag: name, access: Self.caseWriters, parameters: [.id("id", "the examination's UUID")], body: Schema.ref("Verification"),
                             replies: [200: .init("verified", schema: Schema.ref("Examination"), headers: ["ETag"]),
                                       404: .problem("no such examination"),
                                       409: .problem("not an identification, verified already, or the caller made it")])) { request, context, principal in
            let body = try await JSONBody.decode(VerificationBody.self, from: request, context: context)
            let verified = try await self.verifyExamination(id: try context.parameters.requireUUID("id"), note: body.note, by: principal,
                                                            requestID: context.requestID)
            return try Response.json(verified, version: verified.version)
        }
    }
}
