import HTTPTypes
import Synchronization

/// The methods each route path takes, filled once the modules have added their routes. The
/// router alone answers 404 for a known path asked with a method it does not take; with this
/// table the problem middleware answers 405 with an `Allow` header instead (RFC 9110 §15.5.6).
public final class AllowedMethods: Sendable {
    private struct Entry {
        /// `nil` stands for a `{parameter}` segment, which matches any one segment.
        var segments: [Substring?]
        var methods: [String]
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    public func set(_ specs: [RouteSpec]) {
        var byPath: [String: [String]] = [:]
        for spec in specs { byPath[spec.path, default: []].append(spec.method.rawValue) }
        let built = byPath.map { path, methods in
            Entry(segments: path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : $0 },
                  methods: methods.sorted())
        }
        entries.withLock { $0 = built }
    }

    /// The methods the route at `path` takes (a request path, without the query), or nil when
    /// no route has that path.
    public func methods(forPath path: Substring) -> [String]? {
        let parts = path.split(separator: "/")
        return entries.withLock { entries in
            // Like the router, a literal segment wins over a parameter: `/v1/firearms/search` is
            // not `/v1/firearms/{id}`.
            entries.filter { entry in
                entry.segments.count == parts.count && zip(entry.segments, parts).allSatisfy { $0 == nil || $0 == $1 }
            }.max { a, b in
                a.segments.map { $0 == nil ? 0 : 1 }.lexicographicallyPrecedes(b.segments.map { $0 == nil ? 0 : 1 })
            }?.methods
        }
    }
}
