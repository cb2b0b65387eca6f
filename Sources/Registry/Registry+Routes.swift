import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore

struct FirearmBody: StrictBody {
    var make: String?
    var model: String?
    var type: String?
    var calibre: String?
    var serial: String?
    var otherMarkings: String?
    var countryOfManufacture: String?
    var yearOfManufacture: Int?
    var importCountry: String?
    var importYear: Int?
    var importer: String?
    var barrelLengthMM: Int?
    var action: String?
    var notes: String?
    var holderID: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case make, model, type, calibre, serial, importer, action, notes
        case otherMarkings = "other_markings", countryOfManufacture = "country_of_manufacture"
        case yearOfManufacture = "year_of_manufacture", importCountry = "import_country", importYear = "import_year"
        case barrelLengthMM = "barrel_length_mm", holderID = "holder_id"
    }

    /// The description to register: make, type, calibre and serial are required.
    func description() throws(Problem) -> FirearmDescription {
        var errors: [Problem.FieldError] = []
        for (value, field) in [(make, "make"), (type, "type"), (calibre, "calibre"), (serial, "serial")] where value == nil {
            errors.append(.init(field: field, detail: "is required"))
        }
        let parsedType = type.flatMap(FirearmType.init(rawValue:))
        if type != nil && parsedType == nil {
            errors.append(.init(field: "type", detail: "must be one of \(FirearmType.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        guard errors.isEmpty, let make, let parsedType, let calibre, let serial else { throw Problem.validation(errors) }
        return FirearmDescription(make: make.trimmed, model: model?.trimmed, type: parsedType, calibre: calibre.trimmed, serial: serial,
                                  otherMarkings: otherMarkings, countryOfManufacture: countryOfManufacture,
                                  yearOfManufacture: yearOfManufacture, importCountry: importCountry, importYear: importYear,
                                  importer: importer, barrelLengthMM: barrelLengthMM, action: action, notes: notes)
    }

    /// A correction: the fields given replace those of `current`.
    func applied(to current: Firearm) throws(Problem) -> FirearmDescription {
        if holderID != nil {
            throw Problem.invalid("holder_id", "changes only through a transfer event (POST /v1/firearms/{id}/events)")
        }
        var d = FirearmDescription(make: current.make, model: current.model, type: current.type, calibre: current.calibre,
                                   serial: current.serial, otherMarkings: current.otherMarkings,
                                   countryOfManufacture: current.countryOfManufacture, yearOfManufacture: current.yearOfManufacture,
                                   importCountry: current.importCountry, importYear: current.importYear, importer: current.importer,
                                   barrelLengthMM: current.barrelLengthMM, action: current.action, notes: current.notes)
        if let type {
            guard let parsed = FirearmType(rawValue: type) else {
                throw Problem.invalid("type", "must be one of \(FirearmType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            d.type = parsed
        }
        if let make { d.make = make.trimmed }
        if let model { d.model = model.trimmed }
        if let calibre { d.calibre = calibre.trimmed }
        if let serial { d.serial = serial }
        if let otherMarkings { d.otherMarkings = otherMarkings }
        if let countryOfManufacture { d.countryOfManufacture = countryOfManufacture }
        if let yearOfManufacture { d.yearOfManufacture = yearOfManufacture }
        if let importCountry { d.importCountry = importCountry }
        if let importYear { d.importYear = importYear }
        if let importer { d.importer = importer }
        if let barrelLengthMM { d.barrelLengthMM = barrelLengthMM }
        if let action { d.action = action }
        if let notes { d.notes = notes }
        if d == current.description { throw Problem.invalid("body", "names no change") }
        return d
    }
}

extension String {
    /// Without surrounding spaces and line breaks, as the import stores values too.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

extension Firearm {
    var description: FirearmDescription {
        FirearmDescription(make: make, model: model, type: type, calibre: calibre, serial: serial, otherMarkings: otherMarkings,
                           countryOfManufacture: countryOfManufacture, yearOfManufacture: yearOfManufacture,
                           importCountry: importCountry, importYear: importYear, importer: importer,
                           barrelLengthMM: barrelLengthMM, action: action, notes: notes)
    }
}

struct EventBody: StrictBody {
    var kind: String
    var occurredOn: String
    var transferKind: String?
    var place: String?
    var agency: String?
    var documentRef: String?
    var permitNumber: String?
    var counterpartCountry: String?
    var counterpartHolderID: UUID?
    var notes: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, place, agency, notes
        case occurredOn = "occurred_on", transferKind = "transfer_kind", documentRef = "document_ref"
        case permitNumber = "permit_number", counterpartCountry = "counterpart_country", counterpartHolderID = "counterpart_holder_id"
    }

    func event() throws(Problem) -> NewEvent {
        var errors: [Problem.FieldError] = []
        let parsedKind = EventKind(rawValue: kind)
        if parsedKind == nil {
            errors.append(.init(field: "kind", detail: "must be one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let parsedTransfer = transferKind.flatMap(TransferKind.init(rawValue:))
        if transferKind != nil && parsedTransfer == nil {
            errors.append(.init(field: "transfer_kind", detail: "must be domestic, import or export"))
        }
        guard errors.isEmpty, let parsedKind else { throw Problem.validation(errors) }
        return NewEvent(kind: parsedKind, occurredOn: occurredOn, transferKind: parsedTransfer, place: place, agency: agency,
                        documentRef: documentRef, permitNumber: permitNumber, counterpartCountry: counterpartCountry,
                        counterpartHolderID: counterpartHolderID, notes: notes)
    }
}

struct HolderBody: StrictBody {
    var kind: String
    var name: String
    var idNumber: String?
    var address: String?
    var country: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, address, country
        case idNumber = "id_number"
    }

    func holder() throws(Problem) -> NewHolder {
        var errors: [Problem.FieldError] = []
        if !Holder.kinds.contains(kind) { errors.append(.init(field: "kind", detail: "must be one of \(Holder.kinds.joined(separator: ", "))")) }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || name.count > 300 { errors.append(.init(field: "name", detail: "must be 1 to 300 characters")) }
        if let idNumber, idNumber.isEmpty || idNumber.count > 100 { errors.append(.init(field: "id_number", detail: "must be 1 to 100 characters")) }
        if let address, address.count > 1000 { errors.append(.init(field: "address", detail: "must be at most 1000 characters")) }
        if !Country.isValid(country) { errors.append(.init(field: "country", detail: "must be an ISO 3166-1 alpha-2 code in upper case")) }
        if !errors.isEmpty { throw Problem.validation(errors) }
        return NewHolder(kind: kind, name: trimmed, idNumber: idNumber, address: address, country: country)
    }
}

struct SearchResult: Encodable {
    var items: [Firearm]
    var pattern: String
    var confusables: Bool
}

extension Registry {
    static let readers = RouteSpec.Access.roles([.clerk, .analyst, .examiner, .liaison])
    static let writers = RouteSpec.Access.roles([.clerk])

    public func addRoutes(to routes: RouteRegistry) {
        let problem = { (text: String) in RouteSpec.Reply(text, schema: Schema.ref("Problem"), contentType: "application/problem+json") }
        routes.add(RouteSpec(.post, "/v1/firearms", id: "registerFirearm", summary: "Register a firearm", tag: name, access: Self.writers,
                             body: Schema.ref("NewFirearm"),
                             replies: [201: .init("registered", schema: Schema.ref("Firearm"), headers: ["ETag", "Location"]),
                                       409: problem("the same firearm is registered already")])) { request, context, principal in
            let body = try await JSONBody.decode(FirearmBody.self, from: request, context: context)
            let firearm = try await self.register(try body.description(), holderID: body.holderID, by: principal, requestID: context.requestID)
            return try Response.json(firearm, status: .created, version: firearm.version,
                                     location: "/v1/firearms/\(firearm.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/firearms", id: "listFirearms", summary: "List firearms, by exact serial and other fields",
                             tag: name, access: Self.readers,
                             parameters: [.limit, .cursor,
                                          .init("serial", in: .query, schema: Schema.text(max: 100), "the serial, as marked or normalised (exact match)"),
                                          .init("make", in: .query, schema: Schema.text(max: 100), "make (case-insensitive)"),
                                          .init("model", in: .query, schema: Schema.text(max: 100), "model (case-insensitive)"),
                                          .init("type", in: .query, schema: Schema.ref("FirearmType"), "type"),
                                          .init("calibre", in: .query, schema: Schema.text(max: 100), "calibre (case-insensitive)"),
                                          .init("status", in: .query, schema: Schema.ref("FirearmStatus"), "current status"),
                                          .init("holder_id", in: .query, schema: Schema.uuid, "current holder"),
                                          .init("country", in: .query, schema: Schema.ref("Country"), "country of manufacture (ISO 3166-1 alpha-2)")],
                             replies: [200: .init("a page of firearms in reference order", schema: Schema.ref("FirearmPage"))])) { request, context, principal in
            let q = request.uri.queryParameters
            func text(_ key: String, max: Int = 100) throws(Problem) -> String? {
                guard let value = q[key[...]].map(String.init) else { return nil }
                guard !value.isEmpty, value.count <= max else { throw Problem.invalid(key, "must be 1 to \(max) characters") }
                return value
            }
            var filter = FirearmStore.ListFilter()
            if let serial = try text("serial") {
                guard let normalized = Serial.normalize(serial) else { throw Problem.invalid("serial", "must contain letters or digits") }
                filter.serial = normalized
            }
            filter.make = try text("make")
            filter.model = try text("model")
            filter.calibre = try text("calibre")
            if let raw = try text("type") {
                guard let type = FirearmType(rawValue: raw) else { throw Problem.invalid("type", "is not a firearm type") }
                filter.type = type
            }
            if let raw = try text("status") {
                guard let status = FirearmStatus(rawValue: raw) else { throw Problem.invalid("status", "is not a status") }
                filter.status = status
            }
            if let raw = try text("holder_id") {
                guard let id = UUID(uuidString: raw) else { throw Problem.invalid("holder_id", "must be a UUID") }
                filter.holderID = id
            }
            if let raw = try text("country") {
                guard Country.isValid(raw) else { throw Problem.invalid("country", "must be an ISO 3166-1 alpha-2 code in upper case") }
                filter.country = raw
            }
            let page = try PageRequest.parse(limit: q["limit"].map(String.init), cursor: q["cursor"].map(String.init), keyCount: 1)
            return try Response.json(try await self.list(filter, page: page, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/firearms/search", id: "searchFirearms",
                             summary: "Search partially obliterated serials: ? one unknown character, * an unknown run",
                             tag: name, access: Self.readers,
                             parameters: [.init("serial", in: .query, required: true, schema: Schema.text(max: 100), "the pattern, e.g. AB?12*9 (at least 3 known characters)"),
                                          .init("confusables", in: .query, schema: Schema.boolean, "treat O/0, I/1/L, S/5, B/8, Z/2 as equal"),
                                          .init("limit", in: .query, schema: ["type": "integer", "minimum": 1, "maximum": 500], "most results (default 50)")],
                             replies: [200: .init("matches, exact first, then closest", schema: Schema.ref("FirearmSearch"))])) { request, context, principal in
            let q = request.uri.queryParameters
            guard let serial = q["serial"].map(String.init) else { throw Problem.invalid("serial", "is required") }
            var confusables = false
            if let raw = q["confusables"] {
                guard let value = Bool(String(raw)) else { throw Problem.invalid("confusables", "must be true or false") }
                confusables = value
            }
            let page = try PageRequest.parse(limit: q["limit"].map(String.init), cursor: nil, keyCount: 0)
            let found = try await self.search(pattern: serial, confusables: confusables, limit: page.limit, by: principal, requestID: context.requestID)
            return try Response.json(SearchResult(items: found, pattern: Serial.Pattern(serial)?.normalized ?? serial, confusables: confusables))
        }
        routes.add(RouteSpec(.get, "/v1/firearms/{id}", id: "getFirearm", summary: "Read a firearm, with the licences covering it",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the firearm", schema: Schema.ref("FirearmDetail"), headers: ["ETag"]),
                                       404: problem("no such firearm")])) { _, context, principal in
            let detail = try await self.firearmDetail(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(detail, version: detail.firearm.version)
        }
        routes.add(RouteSpec(.patch, "/v1/firearms/{id}", id: "correctFirearm",
                             summary: "Correct a firearm's description (a new version; status and holder change only through events)",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("FirearmChanges"),
                             replies: [200: .init("the new version", schema: Schema.ref("Firearm"), headers: ["ETag"]),
                                       404: problem("no such firearm"), 409: problem("the correction would duplicate another firearm")],
                             conditional: true)) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let body = try await JSONBody.decode(FirearmBody.self, from: request, context: context)
            guard let current = try await self.database.withConnection({ try await FirearmStore.find(id: id, on: $0) }) else {
                throw Problem.notFound("no firearm \(id.uuidString.lowercased())")
            }
            let corrected = try await self.correct(id: id, expectedVersion: version, try body.applied(to: current), by: principal,
                                                   requestID: context.requestID)
            return try Response.json(corrected, version: corrected.version)
        }
        routes.add(RouteSpec(.get, "/v1/firearms/{id}/history", id: "firearmHistory", summary: "Every version of a firearm, with who and when",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the versions, oldest first", schema: Schema.array(Schema.ref("FirearmVersion"))),
                                       404: problem("no such firearm")])) { _, context, principal in
            try Response.json(try await self.history(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/firearms/{id}/events", id: "appendFirearmEvent",
                             summary: "Record a lifecycle event; the status follows from it (If-Match optional)",
                             tag: name, access: Self.writers,
                             parameters: [.id(), .init("If-Match", in: .header, schema: Schema.etag, "the firearm's ETag; when given, a stale version is 412")],
                             body: Schema.ref("NewFirearmEvent"),
                             replies: [201: .init("recorded", schema: Schema.ref("FirearmEventResult"), headers: ["ETag"]),
                                       404: problem("no such firearm"),
                                       409: problem("the event makes no sense for the firearm's status"),
                                       412: problem("If-Match names a stale version")])) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.optionalVersion(request)
            let event = try await JSONBody.decode(EventBody.self, from: request, context: context).event()
            let (recorded, firearm) = try await self.appendEvent(firearmID: id, expectedVersion: version, event, by: principal,
                                                                 requestID: context.requestID)
            return try Response.json(EventResult(event: recorded, firearm: firearm), status: .created, version: firearm.version)
        }
        routes.add(RouteSpec(.get, "/v1/firearms/{id}/events", id: "listFirearmEvents", summary: "A firearm's lifecycle events, in date order",
                             tag: name, access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the events", schema: Schema.array(Schema.ref("FirearmEvent"))),
                                       404: problem("no such firearm")])) { _, context, principal in
            try Response.json(try await self.events(firearmID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/imports/firearms", id: "importFirearms",
                             summary: "Import firearms from CSV (streamed; header row naming the columns). Re-running a file adds nothing.",
                             tag: name, access: Self.writers,
                             parameters: [.init("dry_run", in: .query, schema: Schema.boolean, "validate and count only")],
                             body: ["type": "string", "description": .string("CSV with the columns \(FirearmImport.columns.joined(separator: ", "))")],
                             bodyContentType: "text/csv",
                             replies: [200: .init("the import report", schema: Schema.ref("ImportReport")),
                                       415: problem("the body is not text/csv")],
                             idempotent: false)) { request, context, principal in
            guard let contentType = request.headers[.contentType]?.lowercased(), contentType.hasPrefix("text/csv") else {
                throw Problem(slug: "unsupported-media-type", title: "Unsupported media type", status: 415, detail: "send the CSV as text/csv")
            }
            var dryRun = false
            if let raw = request.uri.queryParameters["dry_run"] {
                guard let value = Bool(String(raw)) else { throw Problem.invalid("dry_run", "must be true or false") }
                dryRun = value
            }
            let importer = FirearmImport(database: self.database, principal: principal, requestID: context.requestID, dryRun: dryRun,
                                         now: self.environment.now(), logger: context.logger)
            let report = try await importer.run(request.body.map { Array(buffer: $0) })
            return try Response.json(report)
        }
        routes.add(RouteSpec(.post, "/v1/licences", id: "issueLicence", summary: "Record a licence issued to a holder, covering firearms",
                             tag: name, access: Self.writers, body: Schema.ref("NewLicence"),
                             replies: [201: .init("recorded", schema: Schema.ref("Licence"), headers: ["ETag", "Location"]),
                                       409: problem("a licence with this number exists")])) { request, context, principal in
            let new = try await JSONBody.decode(LicenceBody.self, from: request, context: context).licence
            let licence = try await self.issueLicence(new, by: principal, requestID: context.requestID)
            return try Response.json(licence, status: .created, version: licence.version,
                                     location: "/v1/licences/\(licence.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/licences", id: "listLicences", summary: "List licences, by holder", tag: name, access: Self.readers,
                             parameters: [.limit, .cursor, .init("holder_id", in: .query, schema: Schema.uuid, "the holder")],
                             replies: [200: .init("a page of licences in number order", schema: Schema.ref("LicencePage"))])) { request, context, principal in
            let q = request.uri.queryParameters
            var holderID: UUID?
            if let raw = q["holder_id"] {
                guard let id = UUID(uuidString: String(raw)) else { throw Problem.invalid("holder_id", "must be a UUID") }
                holderID = id
            }
            let page = try PageRequest.parse(limit: q["limit"].map(String.init), cursor: q["cursor"].map(String.init), keyCount: 1)
            return try Response.json(try await self.licences(holderID: holderID, page: page, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/licences/{id}", id: "getLicence", summary: "Read a licence and its effective status", tag: name,
                             access: Self.readers, parameters: [.id()],
                             replies: [200: .init("the licence", schema: Schema.ref("Licence"), headers: ["ETag"]),
                                       404: problem("no such licence")])) { _, context, principal in
            let licence = try await self.licence(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(licence, version: licence.version)
        }
        routes.add(RouteSpec(.patch, "/v1/licences/{id}", id: "changeLicence", summary: "Revoke, suspend or reinstate a licence, or change its end date",
                             tag: name, access: Self.writers, parameters: [.id()], body: Schema.ref("LicenceChanges"),
                             replies: [200: .init("the licence", schema: Schema.ref("Licence"), headers: ["ETag"]),
                                       404: problem("no such licence"), 409: problem("a revoked licence cannot be reinstated")],
                             conditional: true)) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let body = try await JSONBody.decode(LicenceChangeBody.self, from: request, context: context)
            let licence = try await self.changeLicence(id: id, expectedVersion: version, status: body.status, reason: body.statusReason,
                                                       validUntil: body.validUntil, by: principal, requestID: context.requestID)
            return try Response.json(licence, version: licence.version)
        }
        routes.add(RouteSpec(.post, "/v1/holders", id: "createHolder", summary: "Record a holder (person or organisation)",
                             tag: name, access: Self.writers, body: Schema.ref("NewHolder"),
                             replies: [201: .init("recorded", schema: Schema.ref("Holder"), headers: ["ETag", "Location"])])) { request, context, principal in
            let new = try await JSONBody.decode(HolderBody.self, from: request, context: context).holder()
            let holder = try await self.createHolder(new, by: principal, requestID: context.requestID)
            return try Response.json(holder, status: .created, version: holder.version,
                                     location: "/v1/holders/\(holder.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/holders", id: "listHolders", summary: "Find holders by name or identity number",
                             tag: name, access: Self.readers,
                             parameters: [.limit, .cursor, .init("name", in: .query, schema: Schema.text(max: 300), "part of the name (case-insensitive)"),
                                          .init("id_number", in: .query, schema: Schema.text(max: 100), "identity document or registration number (exact)")],
                             replies: [200: .init("a page of holders in name order", schema: Schema.ref("HolderPage"))])) { request, context, principal in
            let q = request.uri.queryParameters
            let name = q["name"].map(String.init)
            let idNumber = q["id_number"].map(String.init)
            if let name, name.isEmpty || name.count > 300 { throw Problem.invalid("name", "must be 1 to 300 characters") }
            if let idNumber, idNumber.isEmpty || idNumber.count > 100 { throw Problem.invalid("id_number", "must be 1 to 100 characters") }
            let page = try PageRequest.parse(limit: q["limit"].map(String.init), cursor: q["cursor"].map(String.init), keyCount: 2)
            return try Response.json(try await self.holders(name: name, idNumber: idNumber, page: page, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/holders/{id}", id: "getHolder", summary: "Read a holder", tag: name, access: Self.readers,
                             parameters: [.id()],
                             replies: [200: .init("the holder", schema: Schema.ref("Holder"), headers: ["ETag"]),
                                       404: problem("no such holder")])) { _, context, principal in
            let holder = try await self.holder(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID)
            return try Response.json(holder, version: holder.version)
        }
    }

    public var schemas: [String: JSONValue] {
        let country: JSONValue = ["oneOf": [Schema.ref("Country"), ["type": "null"]]]
        let year: JSONValue = ["type": ["integer", "null"], "minimum": 1800]
        let description: [String: JSONValue] = [
            "make": ["type": "string", "minLength": 1, "maxLength": 100], "model": ["type": ["string", "null"], "maxLength": 100],
            "type": Schema.ref("FirearmType"), "calibre": ["type": "string", "minLength": 1, "maxLength": 50],
            "serial": ["type": "string", "minLength": 1, "maxLength": 100],
            "other_markings": ["type": ["string", "null"], "maxLength": 1000], "country_of_manufacture": country,
            "year_of_manufacture": year, "import_country": country, "import_year": year,
            "importer": ["type": ["string", "null"], "maxLength": 200],
            "barrel_length_mm": ["type": ["integer", "null"], "minimum": 1, "maximum": 3000],
            "action": ["type": ["string", "null"], "maxLength": 100], "notes": ["type": ["string", "null"], "maxLength": 4000],
        ]
        var firearm = description
        firearm["id"] = Schema.uuid
        firearm["reference"] = ["type": "string", "pattern": "^FA-[0-9]{7,}$"]
        firearm["serial_normalized"] = Schema.string
        firearm["status"] = Schema.ref("FirearmStatus")
        firearm["holder_id"] = Schema.nullable("string", format: "uuid")
        firearm["version"] = Schema.integer
        firearm["created_at"] = Schema.dateTime
        firearm["updated_at"] = Schema.dateTime
        var newFirearm = description
        newFirearm["holder_id"] = Schema.nullable("string", format: "uuid")
        let event: [String: JSONValue] = [
            "kind": Schema.ref("EventKind"), "occurred_on": ["type": "string", "format": "date"],
            "transfer_kind": ["type": ["string", "null"], "enum": [.string("domestic"), .string("import"), .string("export"), .null]],
            "place": ["type": ["string", "null"], "maxLength": 300], "agency": ["type": ["string", "null"], "maxLength": 200],
            "document_ref": ["type": ["string", "null"], "maxLength": 200], "permit_number": ["type": ["string", "null"], "maxLength": 100],
            "counterpart_country": country, "counterpart_holder_id": Schema.nullable("string", format: "uuid"),
            "notes": ["type": ["string", "null"], "maxLength": 4000],
        ]
        var recordedEvent = event
        recordedEvent["id"] = Schema.uuid
        recordedEvent["firearm_id"] = Schema.uuid
        recordedEvent["status_after"] = Schema.ref("FirearmStatus")
        recordedEvent["firearm_version"] = Schema.integer
        recordedEvent["recorded_by"] = Schema.string
        recordedEvent["recorded_at"] = Schema.dateTime
        let holder: [String: JSONValue] = [
            "kind": Schema.enumeration(Holder.kinds), "name": ["type": "string", "minLength": 1, "maxLength": 300],
            "id_number": ["type": ["string", "null"], "maxLength": 100], "address": ["type": ["string", "null"], "maxLength": 1000],
            "country": Schema.ref("Country"),
        ]
        var storedHolder = holder
        storedHolder["id"] = Schema.uuid
        storedHolder["reference"] = ["type": "string", "pattern": "^HO-[0-9]{6,}$"]
        storedHolder["version"] = Schema.integer
        storedHolder["created_at"] = Schema.dateTime
        storedHolder["updated_at"] = Schema.dateTime
        return [
            "Country": Schema.enumeration(Country.codes.sorted()),
            "FirearmType": Schema.enumeration(FirearmType.allCases.map(\.rawValue)),
            "FirearmStatus": Schema.enumeration(FirearmStatus.allCases.map(\.rawValue)),
            "EventKind": Schema.enumeration(EventKind.allCases.map(\.rawValue)),
            "Firearm": Schema.object(firearm, required: ["id", "reference", "make", "type", "calibre", "serial", "serial_normalized",
                                                         "status", "version", "created_at", "updated_at"]),
            "NewFirearm": Schema.object(newFirearm, required: ["make", "type", "calibre", "serial"]),
            "FirearmChanges": Schema.changes(description),
            "FirearmPage": Schema.page(of: Schema.ref("Firearm")),
            "FirearmSearch": Schema.object(["items": Schema.array(Schema.ref("Firearm")), "pattern": Schema.string,
                                            "confusables": Schema.boolean], required: ["items", "pattern", "confusables"]),
            "FirearmVersion": Schema.object(["version": Schema.integer, "change": Schema.string, "changed_by": Schema.string,
                                             "changed_at": Schema.dateTime, "record": Schema.ref("Firearm")],
                                            required: ["version", "change", "changed_by", "changed_at", "record"]),
            "NewFirearmEvent": Schema.object(event, required: ["kind", "occurred_on"]),
            "FirearmEvent": Schema.object(recordedEvent, required: ["id", "firearm_id", "kind", "occurred_on", "status_after",
                                                                    "firearm_version", "recorded_by", "recorded_at"]),
            "FirearmEventResult": Schema.object(["event": Schema.ref("FirearmEvent"), "firearm": Schema.ref("Firearm")],
                                                required: ["event", "firearm"]),
            "NewHolder": Schema.object(holder, required: ["kind", "name", "country"]),
            "Holder": Schema.object(storedHolder, required: ["id", "reference", "kind", "name", "country", "version", "created_at", "updated_at"]),
            "HolderPage": Schema.page(of: Schema.ref("Holder")),
            "FirearmDetail": Schema.object(firearm.merging(["licences": Schema.array(Schema.ref("Licence"))]) { a, _ in a },
                                           required: ["id", "reference", "make", "type", "calibre", "serial", "serial_normalized",
                                                      "status", "version", "created_at", "updated_at", "licences"]),
            "NewLicence": Schema.object([
                "holder_id": Schema.uuid, "number": ["type": "string", "minLength": 1, "maxLength": 100],
                "kind": Schema.enumeration(Licence.kinds), "issuing_authority": ["type": "string", "minLength": 1, "maxLength": 200],
                "valid_from": ["type": "string", "format": "date"], "valid_until": ["type": "string", "format": "date"],
                "firearm_ids": ["type": "array", "items": Schema.uuid, "maxItems": 500],
            ], required: ["holder_id", "number", "kind", "issuing_authority", "valid_from", "valid_until"]),
            "LicenceChanges": Schema.changes([
                "status": Schema.enumeration(["active", "suspended", "revoked"]),
                "status_reason": ["type": "string", "maxLength": 1000], "valid_until": ["type": "string", "format": "date"],
            ]),
            "Licence": Schema.object([
                "id": Schema.uuid, "number": Schema.string, "holder_id": Schema.uuid, "kind": Schema.enumeration(Licence.kinds),
                "issuing_authority": Schema.string, "valid_from": ["type": "string", "format": "date"],
                "valid_until": ["type": "string", "format": "date"], "status": Schema.enumeration(["active", "suspended", "revoked"]),
                "status_reason": Schema.nullable("string"),
                "effective_status": Schema.enumeration(["valid", "expired", "not_yet_valid", "suspended", "revoked"]),
                "firearm_ids": Schema.array(Schema.uuid), "version": Schema.integer, "created_at": Schema.dateTime, "updated_at": Schema.dateTime,
            ], required: ["id", "number", "holder_id", "kind", "issuing_authority", "valid_from", "valid_until", "status",
                          "effective_status", "firearm_ids", "version", "created_at", "updated_at"]),
            "LicencePage": Schema.page(of: Schema.ref("Licence")),
            "ImportReport": Schema.object([
                "import_id": Schema.uuid, "dry_run": Schema.boolean, "rows": Schema.integer, "imported": Schema.integer,
                "duplicates": Schema.integer, "invalid": Schema.integer, "errors_truncated": Schema.boolean,
                "errors": Schema.array(Schema.object(["line": Schema.integer, "column": Schema.string, "reason": Schema.string],
                                                     required: ["line", "column", "reason"])),
            ], required: ["import_id", "dry_run", "rows", "imported", "duplicates", "invalid", "errors", "errors_truncated"]),
        ]
    }
}

struct EventResult: Encodable {
    var event: FirearmEvent
    var firearm: Firearm
}
