import Foundation
import IFCCore
import Mustache

/// Printable pages (a forensic report, a trace document) rendered from Mustache templates, never
/// from HTML glued together in Swift strings. The kit carries the shared A4 print layout
/// (`Templates/print-layout.mustache`: page size and margins, a running head with the record's
/// numbers on every printed page, page x of y, the print styles); a module carries its own pages
/// in its `Templates/` folder, compiled in by the `EmbedTemplates` plugin, and extends the layout:
///
///     {{<print-layout}}{{$title}}…{{/title}}{{$running_head}}…{{/running_head}}{{$body}}…{{/body}}{{/print-layout}}
///
/// Values are rendered from their JSON form (the same names the API uses), with `{{…}}`
/// HTML-escaped; absent values are left out, so `{{#field}}…{{/field}}` shows what is known, and
/// each non-empty list `xs` comes with `has_xs` (true), for a heading shown once before its rows.
public struct PageTemplates: Sendable {
    let library: MustacheLibrary

    /// The kit's layout and the module's pages, given as the module's `EmbeddedTemplates.files`.
    public init(moduleFiles: [(name: String, base64: String)]) throws {
        var library = MustacheLibrary()
        for file in EmbeddedTemplates.files + moduleFiles {
            guard let data = Data(base64Encoded: file.base64), let text = String(data: data, encoding: .utf8) else {
                throw TemplateError(name: file.name, reason: "is not UTF-8")
            }
            let name = file.name.hasSuffix(".mustache") ? String(file.name.dropLast(".mustache".count)) : file.name
            do {
                try library.register(text, named: name)
            } catch {
                throw TemplateError(name: file.name, reason: "does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// The page `template` for `value`, through its JSON form.
    public func render(_ template: String, _ value: some Encodable) throws -> String {
        let data = try JSONCoding.encoder.encode(value)
        let view = try JSONCoding.decoder.decode(PageValue.self, from: data).mustache
        guard let page = library.render(view ?? [String: Any](), withTemplate: template) else {
            throw TemplateError(name: template, reason: "is not a template of this module")
        }
        return page
    }

    public struct TemplateError: Error, CustomStringConvertible {
        public let name: String
        public let reason: String
        public var description: String { "template \(name) \(reason)" }
    }
}

/// A JSON value as Mustache sees it: objects as dictionaries without their null members,
/// booleans as `Bool` (so `{{#flag}}` tests them), numbers as `Int` or `Double`.
private enum PageValue: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([PageValue]), object([String: PageValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let value = try? c.decode(Bool.self) { self = .bool(value) }
        else if let value = try? c.decode(Int.self) { self = .int(value) }
        else if let value = try? c.decode(Double.self) { self = .double(value) }
        else if let value = try? c.decode(String.self) { self = .string(value) }
        else if let value = try? c.decode([PageValue].self) { self = .array(value) }
        else { self = .object(try c.decode([String: PageValue].self)) }
    }

    var mustache: Any? {
        switch self {
        case .null: nil
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .array(let values): values.compactMap(\.mustache)
        case .object(let members):
            members.reduce(into: [String: Any]()) { view, member in
                guard let value = member.value.mustache else { return }
                view[member.key] = value
                if case .array(let items) = member.value, !items.isEmpty { view["has_" + member.key] = true }
            }
        }
    }
}
