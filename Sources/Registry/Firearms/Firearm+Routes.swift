import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    func addFirearmRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/firearms", id: "registerFirearm", summary: "Register a firearm", tag: name, access: Self.writers,
                             body: Schema.ref("NewFirearm"),
                             replies: [201: .init("registered; a make, model, type or calibre that does not match the reference table "
                                                  + "is flagged for review and explained in warnings",
                                                  schema: Schema.ref("ReviewedFirearm"), headers: ["ETag", "Location"]),
                                       409: .problem("the same firearm is registered already")])) { request, context, principal in
            let body = try await JSONBody.decode(FirearmBody.self, from: request, context: context)
            var firearm = try await self.registerReviewed(try body.description(), holderID: body.holderID, by: principal,
                                                          requestID: context.requestID)
            firearm.record = try await self.disclosed(firearm.record, to: principal)
            return try Response.json(firearm, status: .created, version: firearm.record.version,
                                     location: "/v1/firearms/\(firearm.record.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/firearms", id: "listFirearms", summary: "List firearms, by exact serial and other fields",
                             tag: name, access: Self.readers,
                             parameters: [.limit, .cursor,
                                          .init("serial", in: .query, schema: Schema.serial, "the serial, as marked or normalised (exact match)"),
                                          .init("make", in: .query, schema: Schema.text(max: 100), "make (case-insensitive)"),
                                          .init("model", in: .query, schema: Schema.text(max: 100), "model (case-insensitive)"),
                                          .init("type", in: .query, schema: Schema.ref("FirearmType"), "type"),
                                          .init("calibre", in: .query, schema: Schema.text(max: 100), "calibre (case-insensitive)"),
                                          .init("status", in: .query, schema: Schema.ref("FirearmStatus"), "current status"),
                                          .init("holder_id", in: .query, schema: Schema.uuid, "current holder"),
                                          .init("country", in: .query, schema: Schema.ref("Country"), "country of manufacture (ISO 3166-1 alpha-2)"),
                                          .init("record_origin", in: .query, schema: Schema.ref("RecordOrigin"), "lawful records or illicit finds"),
                                          .init("retention", in: .query, schema: Schema.enumeration(["due"]),
                                                "due: destroyed firearms whose retention period (for retention_use) has passed, undecided"),
                                          .init("retention_use", in: .query, schema: Schema.enumeration(RetentionUse.allCases.map(\.rawValue)),
                                                "with retention=due: the use whose period counts (default licensing, the shorter)"),
                                          .init("needs_review", in: .query, schema: Schema.boolean,
                                                "true: only firearms flagged for review (their description does not match the reference table); false: only the others")],
                             replies: [200: .init("a page of firearms in reference order", schema: Schema.ref("FlaggedFirearmPage"))])) { request, context, principal in
            var q = QueryParameters(request)
            var filter = FirearmStore.ListFilter()
            if let serial = try q.text("serial") {
                guard let normalized = Serial.normalize(serial) else { throw Problem.invalid("serial", "must contain letters or digits") }
                filter.serial = normalized
            }
            filter.make = try q.text("make")
            filter.model = try q.text("model")
            filter.calibre = try q.text("calibre")
            filter.type = try q.value("type", as: FirearmType.self)
            filter.status = try q.value("status", as: FirearmStatus.self)
            filter.holderID = try q.uuid("holder_id")
            filter.country = try q.country("country")
            filter.origin = try q.value("record_origin", as: RecordOrigin.self)
            let needsReview = try q.bool("needs_review")
            let use = try q.value("retention_use", as: RetentionUse.self)
            if let retention = try q.text("retention", max: 10) {
                guard retention == "due" else { throw Problem.invalid("retention", "must be due") }
                let chosen = use ?? .licensing
                filter.retentionDue = (chosen, self.settings.retentionYears[chosen] ?? 30, self.today)
            } else if use != nil {
                throw Problem.invalid("retention_use", "applies only with retention=due")
            }
            let page = try q.page(keyCount: 1)
            return try Response.json(try await self.reviewedList(filter, needsReview: needsReview, page: page, query: q.terms, by: principal,
                                                                 requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/firearms/{id}", id: "getFirearm", summary: "Read a firearm, with the licences covering it",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the firearm", schema: Schema.ref("FlaggedFirearmDetail"), headers: ["ETag"]),
                                       404: .problem("no such firearm")])) { _, context, principal in
            let detail = try await self.reviewedDetail(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(detail, version: detail.record.firearm.version)
        }
        routes.add(.update("/v1/firearms/{id}", id: "correctFirearm",
                           summary: "Correct a firearm's description (a new version; status and holder change only through events)",
                           record: "firearm", tag: name, access: Self.writers, body: "FirearmChanges", result: "ReviewedFirearm",
                           refusals: [409: .problem("the correction would duplicate another firearm")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let patch = try await JSONBody.decode(Patch<FirearmDescription>.self, from: request, context: context)
            var corrected = try await self.correctReviewed(id: id, expectedVersion: version, patch.applied(to:), by: principal,
                                                           requestID: context.requestID)
            // The answer, not the record: the stored restoration_case stays whatever the reader may see.
            corrected.record = try await self.disclosed(corrected.record, to: principal)
            return try Response.json(corrected, version: corrected.record.version)
        }
        routes.add(.history("/v1/firearms/{id}/history", id: "firearmHistory", record: "firearm", tag: name, access: Self.readers,
                            versionSchema: "FirearmVersion")) { _, context, principal in
            try Response.json(try await self.history(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
    }
}
