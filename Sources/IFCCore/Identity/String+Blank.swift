extension StringProtocol {
    /// Empty or only white space, as JSON Schema's `\S` pattern (ECMAScript) sees it, so that the
    /// API document and the server refuse the same values: Unicode White_Space but U+0085, and
    /// U+FEFF.
    public var isBlank: Bool {
        unicodeScalars.allSatisfy { ($0.properties.isWhitespace && $0 != "\u{85}") || $0 == "\u{FEFF}" }
    }
}
