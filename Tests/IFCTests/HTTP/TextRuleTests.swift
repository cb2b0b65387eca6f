import Foundation
import HTTPTypes
import IFCCore
import IFCHTTP
import Testing

/// Issue 16: no text the API takes holds a control, bidirectional or other refused character
/// (free-text notes may break lines); refused naming the field, never stripped; the API
/// document says so on every string a request takes, with the server's own ranges.
@Suite("Text rule")
struct TextRuleTests {
    /// Characters the rule refuses everywhere, and the line breaks refused outside notes.
    static let refusedEverywhere: [Unicode.Scalar] = [
        "\u{0}", "\u{7}", "\u{8}", "\u{B}", "\u{C}", "\u{1B}", "\u{1F}", "\u{7F}", "\u{80}", "\u{85}", "\u{9F}", "\u{61C}",
        "\u{200E}", "\u{200F}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
        "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{FEFF}", "\u{FFF9}", "\u{FFFB}",
    ]
    static let lineBreaks: [Unicode.Scalar] = ["\t", "\n", "\r"]
    /// Text from every script a national registry meets, which the rule must leave alone.
    static let welcome = ["Beretta 92FS", "Société Générale d'Armes", "Ñandú", "Müller & Söhne", "محمد علي", "שלום", "Дмитрий",
                          "北京", "नमस्ते", "👨‍👩‍👧", "zero\u{200B}width", "ZWNJ می\u{200C}خواهم", "café 9×19 mm", "½ inch", "a\u{A0}b"]

    /// A document pattern as the API means it (ECMA-262): ICU's `$`, like Python's, also matches
    /// before a final line break, so a closing `$` is read as the end of the text (`\\z`), as
    /// schemathesis reads it too.
    static func regex(_ pattern: String) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: pattern.hasSuffix("$") && !pattern.hasSuffix("\\$") ? pattern.dropLast() + "\\z" : pattern)
    }

    @Test("the rule: controls, bidirectional controls, separators, BOM refused; line breaks only in notes; every script welcome")
    func rule() {
        for scalar in Self.refusedEverywhere {
            let text = "AB" + String(Character(scalar)) + "CD"
            for kind in [TextRule.Kind.line, .note] {
                let refusal = TextRule.refusal(text, as: kind)
                #expect(refusal?.contains(String(format: "U+%04X", scalar.value)) == true, "\(kind) U+\(String(scalar.value, radix: 16)): \(refusal ?? "accepted")")
            }
        }
        for scalar in Self.lineBreaks {
            let text = "line one" + String(Character(scalar)) + "line two"
            #expect(TextRule.refusal(text, as: .line)?.contains("free-text notes") == true)
            #expect(TextRule.refusal(text, as: .note) == nil)
        }
        for text in Self.welcome {
            #expect(TextRule.refusal(text, as: .line) == nil, "\(text)")
            #expect(TextRule.refusal(text, as: .note) == nil, "\(text)")
        }
        #expect(TextRule.kind(ofPath: "firearms[0].notes") == .note)
        #expect(TextRule.kind(ofPath: "remarks") == .note)
        #expect(TextRule.kind(ofPath: "persons[2].name") == .line)
        #expect(TextRule.kind(ofPath: "photo_references[1]") == .line)
    }

    @Test("the document's patterns refuse exactly what the server refuses, code point by code point")
    func patternsAgreeWithTheServer() throws {
        var samples = (UInt32(0)...0x3100).compactMap { Unicode.Scalar($0) }
        samples += ([0xFEFF, 0xFFF8, 0xFFF9, 0xFFFA, 0xFFFB, 0xFFFC, 0xFFFD, 0x1F600, 0xE0041] as [UInt32]).compactMap { Unicode.Scalar($0) }
        for kind in [TextRule.Kind.line, .note] {
            let regex = try Self.regex(TextRule.pattern(kind))
            for scalar in samples {
                let text = "A" + String(Character(scalar)) + "B"
                let matches = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                #expect(matches == (TextRule.refusal(text, as: kind) == nil), "\(kind) U+\(String(scalar.value, radix: 16))")
            }
        }
    }

    @Test("the byte scan that lets most bodies skip the walk flags exactly the refused characters, raw or escaped")
    func byteScan() throws {
        let scalars = ((UInt32(0)...0x3100).map { $0 } + (UInt32(0xFE00)...0xFFFD).map { $0 } + [0x1F600, 0xE0041]).compactMap { Unicode.Scalar($0) }
        for scalar in scalars {
            let raw = Data(#"{"a":"x\#(String(Character(scalar)))y"}"#.utf8)
            #expect(TextRule.mayRefuse(json: raw) == TextRule.refuses(scalar, in: .line), "U+\(String(scalar.value, radix: 16))")
        }
        for scalar in Self.refusedEverywhere + Self.lineBreaks {
            let escaped = Data((#"{"a":"x\u"# + String(format: "%04x", scalar.value) + #"y"}"#).utf8)
            #expect(TextRule.mayRefuse(json: escaped))
            let serialized = try JSONSerialization.data(withJSONObject: ["a": "x" + String(Character(scalar)) + "y"])
            #expect(TextRule.mayRefuse(json: serialized), "U+\(String(scalar.value, radix: 16)) as \(String(decoding: serialized, as: UTF8.self))")
        }
        #expect(!TextRule.mayRefuse(json: Data(#"{"a":"a \"quoted\" \\ back\/slash","b":[1,true,null]}"#.utf8)))
        // Escaped as Python's json.dumps writes anything above ASCII: a name in any script passes.
        #expect(!TextRule.mayRefuse(json: Data(#"{"a":"M\u00fcller \u0645\u062d\u0645\u062f \ud83d\ude00 \u2013"}"#.utf8)))
        #expect(TextRule.mayRefuse(json: Data(#"{"a":"x\u202Ey"}"#.utf8)))
        #expect(TextRule.mayRefuse(json: Data(#"{"a":"x\u00"}"#.utf8)), "a cut escape is looked at")
        for text in Self.welcome + ["“curly” ‘quotes’ – dashes … ellipsis"] {
            #expect(!TextRule.mayRefuse(json: try JSONSerialization.data(withJSONObject: ["a": text])), "\(text)")
        }
    }

    @Test("combining a field's own pattern with the rule keeps what it meant and refuses what the rule refuses")
    func combining() throws {
        func matches(_ pattern: String, _ text: String) throws -> Bool {
            try Self.regex(pattern).firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        let notBlank = try #require(TextPattern.combining("\\S", kind: .line))
        #expect(try matches(notBlank, " a "))
        #expect(try !matches(notBlank, "   "))
        #expect(try !matches(notBlank, "a\u{7}"))
        #expect(try !matches(notBlank, "\u{FEFF}"))
        let note = try #require(TextPattern.combining("\\S", kind: .note))
        #expect(try matches(note, "line one\nline two"))
        #expect(try !matches(note, "\n\t"))
        #expect(try !matches(note, "a\u{202E}b"))
        let alnum = try #require(TextPattern.combining("[A-Za-z0-9]", kind: .line))
        #expect(try matches(alnum, "--7--"))
        #expect(try !matches(alnum, "----"))
        #expect(try !matches(alnum, "7\u{1}"))
        #expect(try !matches(alnum, "7\n"))
        let password = try #require(TextPattern.combining("^[^\\u0000-\\u001f\\u007f]*$", kind: .line))
        #expect(try matches(password, "a long passphrase"))
        #expect(try !matches(password, "a long\u{7F}passphrase"))
        #expect(try !matches(password, "a long\u{2066}passphrase"))
        #expect(TextPattern.combining("^[A-Za-z][A-Za-z0-9._-]{2,63}$", kind: .line) == "^[A-Za-z][A-Za-z0-9._-]{2,63}$")
        #expect(TextPattern.combining("^FA-[0-9]{6,}$", kind: .line) == "^FA-[0-9]{6,}$")
        // Forms it cannot merge: left to the module (the walk below refuses them).
        #expect(TextPattern.combining("^a|b$", kind: .line) == nil)
        #expect(TextPattern.combining("^.+$", kind: .line) == nil)
        #expect(TextPattern.combining("^[^?]+x", kind: .line) == nil)
        #expect(TextPattern.combining("^\\s*x$", kind: .line) == nil)
    }

    // MARK: - Every string every request takes

    /// One string a request takes: where (`firearms[0].serial`, a query parameter's name), its
    /// key, its pattern and whether the document had to state the rule apart (`allOf`).
    struct Field {
        var path: String
        var name: String
        var pattern: String?
        var apart: Bool
        var kind: TextRule.Kind { TextRule.kind(ofField: name) }
    }

    static func isFreeString(_ schema: [String: Any]) -> Bool {
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        return types.contains("string") && schema["format"] == nil && schema["enum"] == nil && schema["const"] == nil
    }

    static func strings(in schema: Any?, path: String, name: String, components: [String: Any], depth: Int = 0) -> [Field] {
        guard depth < 12, var object = schema as? [String: Any] else { return [] }
        if let ref = object["$ref"] as? String {
            object = components[String(ref.split(separator: "/").last ?? "")] as? [String: Any] ?? [:]
        }
        var found: [Field] = []
        if isFreeString(object) {
            found.append(Field(path: path, name: name, pattern: object["pattern"] as? String, apart: object["allOf"] != nil))
        }
        for (key, value) in (object["properties"] as? [String: Any]) ?? [:] {
            found += strings(in: value, path: path.isEmpty ? key : "\(path).\(key)", name: key, components: components, depth: depth + 1)
        }
        if let items = object["items"] {
            found += strings(in: items, path: "\(path)[0]", name: name, components: components, depth: depth + 1)
        }
        for key in ["anyOf", "oneOf"] {
            for option in (object[key] as? [Any]) ?? [] {
                found += strings(in: option, path: path, name: name, components: components, depth: depth + 1)
            }
        }
        var seen = Set<String>()
        return found.filter { seen.insert($0.path).inserted }
    }

    struct Route {
        var method: String
        var path: String
        var operation: [String: Any]
        var body: [Field]
        var isJSON: Bool
        var query: [Field]
    }

    static func routes(_ document: [String: Any]) throws -> [Route] {
        let components = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var routes: [Route] = []
        for (path, operations) in paths {
            for (method, operation) in operations {
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: [String: Any]] ?? [:]
                let json = content["application/json"]?["schema"]
                let other = content.values.first?["schema"]
                let body = strings(in: json ?? other, path: "", name: json == nil ? "body" : "", components: components)
                let query = ((operation["parameters"] as? [[String: Any]]) ?? []).filter { $0["in"] as? String == "query" }.flatMap { parameter in
                    strings(in: parameter["schema"], path: parameter["name"] as? String ?? "", name: parameter["name"] as? String ?? "",
                            components: components)
                }
                routes.append(Route(method: method, path: path, operation: operation, body: body, isJSON: json != nil, query: query))
            }
        }
        return routes.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    static let bases = ["ABC123", "Glock", "FA-000001", "A1", "abc", "AB12CD", "2024-01-01", "a long passphrase", "x"]

    @Test("every string every request takes carries one pattern refusing what the server refuses, notes letting lines break")
    func documentStatesTheRule() async throws {
        try await withTestApp { app in
            let document = try await app.request(.get, "/openapi.json").object
            let routes = try Self.routes(document)
            let fields = routes.flatMap { route in (route.body + route.query).map { (route, $0) } }
            #expect(fields.count > 150, "only \(fields.count) request strings found")
            #expect(Set(fields.map(\.1.kind)) == [.line, .note])
            for (route, field) in fields {
                let label = "\(route.method.uppercased()) \(route.path) \(field.path)"
                #expect(!field.apart, "\(label): its pattern and the text rule are two patterns; write one (TextRule.refusedClass)")
                let pattern = try #require(field.pattern, "\(label) has no pattern")
                let regex = try Self.regex(pattern)
                func matches(_ text: String) -> Bool { regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
                // A value the field takes, spoilt by one refused character, is refused.
                guard let base = Self.bases.first(where: matches) else { continue }
                for scalar in Self.refusedEverywhere + (field.kind == .line ? Self.lineBreaks : []) {
                    let mark = String(Character(scalar))
                    // A whole file (the CSV body) may open with a byte order mark, as the importer reads it.
                    let opening = field.path.isEmpty && scalar == "\u{FEFF}" ? [] : [mark + base]
                    for spoilt in opening + [String(base.prefix(1)) + mark + String(base.dropFirst()), base + mark] {
                        #expect(!matches(spoilt), "\(label) takes U+\(String(scalar.value, radix: 16))")
                    }
                }
                if field.kind == .note, base.count > 1 {
                    #expect(matches(String(base.prefix(1)) + "\r\n\t" + String(base.dropFirst())), "\(label) is a note and must take line breaks")
                }
            }
        }
    }

    static func role(of operation: [String: Any]) -> Role? {
        guard let description = operation["description"] as? String, description.hasPrefix("Roles: ") else { return nil }
        let names = description.dropFirst("Roles: ".count).dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return names.compactMap(Role.init(rawValue:)).first
    }

    /// The JSON of a body holding only `value` at `path` (`firearms[0].serial`).
    static func body(_ path: String, _ value: String) throws -> String {
        // `a[0].b` → ["a[0]", "b"]; an array item at the top of a property nests as { a: [ … ] }.
        let parts = path.split(separator: ".")
        var object: Any = value
        for part in parts.reversed() {
            var name = Substring(part)
            var arrays = 0
            while name.hasSuffix("[0]") { name = name.dropLast(3); arrays += 1 }
            for _ in 0..<arrays { object = [object] }
            object = [String(name): object]
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// A well-formed value for each required query parameter, so that the one under test is reached.
    static func requiredQuery(_ operation: [String: Any]) -> [String: String] {
        var query: [String: String] = [:]
        for parameter in (operation["parameters"] as? [[String: Any]]) ?? [] where parameter["in"] as? String == "query" && parameter["required"] as? Bool == true {
            guard let name = parameter["name"] as? String else { continue }
            let schema = (parameter["schema"] as? [String: Any]) ?? [:]
            switch (schema["type"] as? String, schema["format"] as? String) {
            case (_, "uuid"?): query[name] = UUID().uuidString.lowercased()
            case (_, "date"?): query[name] = "2024-01-01"
            case ("integer"?, _): query[name] = "1"
            case ("boolean"?, _): query[name] = "true"
            default: query[name] = (schema["enum"] as? [String])?.first ?? "ABC123"
            }
        }
        return query
    }

    static func uri(_ route: Route, query: [String: String] = [:]) -> String {
        var path = route.path.replacingOccurrences(of: "\\{version\\}", with: "1", options: .regularExpression)
        path = path.replacingOccurrences(of: "\\{[a-z_]+\\}", with: UUID().uuidString.lowercased(), options: .regularExpression)
        guard !query.isEmpty else { return path }
        var components = URLComponents()
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return path + "?" + (components.percentEncodedQuery ?? "")
    }

    @Test("every string of every request body and every text query parameter: a control character is 422 naming the field; a note takes line breaks")
    func serverRefusesEverywhere() async throws {
        try await withTestApp { app in
            let document = try await app.request(.get, "/openapi.json").object
            var tokens: [Role: String] = [:]
            func token(_ role: Role?) async throws -> String? {
                guard let role else { return nil }
                if let token = tokens[role] { return token }
                let token = try await app.token(roles: [role])
                tokens[role] = token
                return token
            }
            var checked = 0, notes = 0
            var modules = Set<String>()
            for route in try Self.routes(document) {
                let method = try #require(HTTPRequest.Method(route.method.uppercased()))
                let needsToken = (route.operation["security"] as? [Any])?.isEmpty == false
                let bearer = try await token(Self.role(of: route.operation) ?? (needsToken ? .analyst : nil))
                let label = "\(route.method.uppercased()) \(route.path)"
                let ifMatch: HTTPFields = (route.operation["parameters"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "If-Match" }
                    ? [.ifMatch: "\"1\""] : [:]
                if route.isJSON {
                    for field in route.body {
                        let refused = try await app.request(method, Self.uri(route), token: bearer, json: try Self.body(field.path, "AB\u{7}CD"),
                                                            headers: ifMatch)
                        #expect(refused.status == .unprocessableContent, "\(label) \(field.path): \(refused.status) \(refused.text)")
                        let errors = (try refused.object["errors"] as? [[String: Any]]) ?? []
                        #expect(errors.contains { $0["field"] as? String == field.path && ($0["detail"] as? String)?.contains("U+0007") == true },
                                "\(label) \(field.path): \(refused.text)")
                        let bidi = try await app.request(method, Self.uri(route), token: bearer, json: try Self.body(field.path, "AB\u{202E}CD"),
                                                         headers: ifMatch)
                        #expect(try bidi.problemFields.contains(field.path), "\(label) \(field.path): \(bidi.text)")
                        let broken = try await app.request(method, Self.uri(route), token: bearer,
                                                           json: try Self.body(field.path, "line one\nline two"), headers: ifMatch)
                        if field.kind == .note {
                            notes += 1
                            #expect(try !broken.problemFields.contains(field.path), "\(label) \(field.path) is a note: \(broken.text)")
                        } else {
                            #expect(try broken.problemFields.contains(field.path), "\(label) \(field.path) is one line: \(broken.text)")
                        }
                        checked += 1
                        modules.insert(route.operation["tags"].flatMap { ($0 as? [String])?.first } ?? "")
                    }
                }
                for field in route.query {
                    var query = Self.requiredQuery(route.operation)
                    query[field.path] = "AB\u{202E}CD"
                    let refused = try await app.request(method, Self.uri(route, query: query), token: bearer)
                    #expect(refused.status == .unprocessableContent, "\(label) ?\(field.path): \(refused.status) \(refused.text)")
                    #expect(try refused.problemFields.contains(field.path), "\(label) ?\(field.path): \(refused.text)")
                    checked += 1
                }
            }
            #expect(checked > 150, "only \(checked) fields checked")
            #expect(notes > 10, "only \(notes) note fields checked")
            #expect(modules.count >= 5, "bodies of \(modules.sorted()) only")
        }
    }

    @Test("nothing is stripped: a note with line breaks is stored and read back as sent; a CSV row with a control character is refused naming its column")
    func storedAsSent() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let notes = "first line\r\nsecond line\twith a tab"
            var firearm = try #require(try JSONSerialization.jsonObject(with: Data(RegistryTests.firearm().utf8)) as? [String: Any])
            firearm["notes"] = notes
            let created = try await app.request(.post, "/v1/firearms", token: clerk,
                                                json: String(decoding: try JSONSerialization.data(withJSONObject: firearm), as: UTF8.self))
            #expect(created.status == .created, "\(created.text)")
            #expect(try created.object["notes"] as? String == notes)
            let id = try #require(try created.object["id"] as? String)
            #expect(try await app.request(.get, "/v1/firearms/\(id)", token: clerk).object["notes"] as? String == notes)
            // One line: refused, not cleaned.
            firearm["make"] = "Glock\u{202E}kcolG"
            firearm["serial"] = "XY\u{200F}99"
            let refused = try await app.request(.post, "/v1/firearms", token: clerk,
                                                json: String(decoding: try JSONSerialization.data(withJSONObject: firearm), as: UTF8.self))
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.problemFields == ["make", "serial"])
            let csv = "make,type,calibre,serial,notes\nGlock,pistol,9mm,AB\u{1B}123,\nGlock,pistol,9mm,CD456,\"two\nlines\"\n"
            let imported = try await app.client.execute(uri: "/v1/imports/firearms?dry_run=true", method: .post,
                                                        headers: [.authorization: "Bearer \(clerk)", .contentType: "text/csv"],
                                                        body: .init(string: csv))
            #expect(imported.status == .ok, "\(imported.text)")
            let errors = try #require(try imported.object["errors"] as? [[String: Any]])
            #expect(errors.count == 1, "\(errors)")
            #expect(errors.first?["column"] as? String == "serial")
            #expect((errors.first?["reason"] as? String)?.contains("U+001B") == true)
        }
    }
}
