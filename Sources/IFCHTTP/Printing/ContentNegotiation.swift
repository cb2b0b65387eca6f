import Foundation
import HTTPTypes
import Hummingbird
import IFCCore

/// The two forms a printable record is read in: its data (`application/json`) or its
/// print-ready page (`text/html`), chosen from the request's `Accept` (RFC 9110 §12.5.1,
/// quality values honoured; no `Accept` means JSON). Anything else is 406.
public enum PrintableForm: Sendable, Equatable {
    case json, html

    public init(_ request: Request) throws {
        guard let accept = request.headers[.accept], !accept.isBlank else { self = .json; return }
        var best: (form: PrintableForm, quality: Double, specific: Bool)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first else { continue }
            let quality = parts.dropFirst().compactMap { $0.hasPrefix("q=") ? Double($0.dropFirst(2)) : nil }.first ?? 1
            guard quality > 0 else { continue }
            let candidates: [(PrintableForm, Bool)] = switch type {
            case "application/json": [(.json, true)]
            case "text/html": [(.html, true)]
            case "application/*": [(.json, false)]
            case "text/*": [(.html, false)]
            case "*/*": [(.json, false)]
            default: []
            }
            for (form, specific) in candidates {
                if let current = best, current.quality > quality || (current.quality == quality && (current.specific || !specific)) { continue }
                best = (form, quality, specific)
            }
        }
        guard let best else {
            throw Problem(slug: "not-acceptable", title: "Not Acceptable", status: 406,
                          detail: "this record is served as application/json or text/html")
        }
        self = best.form
    }

    /// The `Content-Type` of this form.
    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .html: "text/html; charset=utf-8"
        }
    }
}

extension Response {
    /// A printable record's stored or rendered form, as-is, with its `Content-Type` and any
    /// extra headers (e.g. `Repr-Digest`).
    public static func printable(_ text: String, form: PrintableForm, status: HTTPResponse.Status = .ok,
                                 headers extra: [(HTTPField.Name, String)] = []) -> Response {
        var headers: HTTPFields = [.contentType: form.contentType]
        for (name, value) in extra { headers[name] = value }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPField.Name {
    /// RFC 9530: the digest of the representation served.
    public static let reprDigest = HTTPField.Name("Repr-Digest")!
}
