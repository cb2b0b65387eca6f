import IFCCore

/// The kit's `TextRule` as the API document states it: one ECMA-262 `pattern` per string a
/// request takes, which Python's `re` (schemathesis) and ICU read alike. A field's own pattern
/// is combined with the rule into one pattern, so that a client generating values from the
/// document never meets two patterns it must satisfy at once.
public enum TextPattern {
    /// The one pattern of a string field of this kind whose own pattern is `existing`, or nil
    /// when that pattern is of a form this combinator does not know (the document then states
    /// both, and the kit's tests name the field so that its module writes the combined pattern:
    /// `TextRule.refusedClass(_:)` is the class to leave out).
    public static func combining(_ existing: String?, kind: TextRule.Kind) -> String? {
        let refused = TextRule.refusedClass(kind)
        guard let existing else { return TextRule.pattern(kind) }
        // Written with the rule already (a module's own combination).
        if existing.contains(refused) { return existing }
        // Not blank: somewhere a character that is neither white space nor refused.
        if existing == "\\S" { return "^[^\(refused)]*[^\\s\(refused)][^\(refused)]*$" }
        // Somewhere one of a set of printable ASCII characters (`[A-Za-z0-9]`).
        if isPrintableClass(existing) { return "^[^\(refused)]*\(existing)[^\(refused)]*$" }
        // Only characters outside a set (`^[^\u0000-\u001f]*$`): outside the union.
        if existing.hasPrefix("^[^"), existing.hasSuffix("]*$") {
            let excluded = existing.dropFirst(3).dropLast(3)
            // U+0000 is among the refused already (`Schema.text`'s pattern).
            if excluded == "\\u0000" { return TextRule.pattern(kind) }
            if !excluded.contains("]") && !excluded.contains("[") {
                return "^[^\(excluded)\(refused)]*$"
            }
        }
        // Anchored at both ends and made of printable ASCII literals and positive classes only:
        // it cannot match a refused character.
        if isAnchoredPrintable(existing) { return existing }
        return nil
    }

    /// `[…]` naming printable ASCII characters and ranges only.
    static func isPrintableClass(_ pattern: String) -> Bool {
        guard pattern.hasPrefix("["), pattern.hasSuffix("]"), !pattern.hasPrefix("[^") else { return false }
        let inner = pattern.dropFirst().dropLast()
        return !inner.isEmpty && inner.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != "\\" && $0 != "[" && $0 != "]" }
    }

    /// `^…$` in printable ASCII with no alternation, wildcard, negated class or escape but of
    /// punctuation, `\d` or `\w`: every character it matches is one it names, none refused.
    static func isAnchoredPrintable(_ pattern: String) -> Bool {
        guard pattern.hasPrefix("^"), pattern.hasSuffix("$"), !pattern.hasSuffix("\\$"),
              pattern.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else { return false }
        let body = Array(pattern.dropFirst().dropLast())
        var inClass = false
        var index = 0
        while index < body.count {
            let character = body[index]
            switch character {
            case "\\":
                guard index + 1 < body.count else { return false }
                let escaped = body[index + 1]
                guard escaped == "d" || escaped == "w" || (escaped.isPunctuation || escaped.isSymbol) else { return false }
                index += 1
            case "[" where !inClass:
                if index + 1 < body.count && body[index + 1] == "^" { return false }
                inClass = true
            case "]" where inClass:
                inClass = false
            case ".", "|", "^", "$":
                if !inClass { return false }
            default:
                break
            }
            index += 1
        }
        return !inClass
    }
}
