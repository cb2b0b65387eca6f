import IFCCore

/// Serial numbers: kept as marked, compared normalised, searched also folded.
public enum Serial {
    /// Upper case, with spaces and separators removed: "ab-12 345/x" → "AB12345X". Only ASCII
    /// letters and digits survive; nil when nothing does.
    public static func normalize(_ marked: String) -> String? {
        // Filter first: upper-casing can expand a character ("ﬃ" → "FFI").
        let kept = marked.unicodeScalars.filter { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        return kept.isEmpty ? nil : String(String.UnicodeScalarView(kept)).uppercased()
    }

    /// Commonly confused characters mapped to one: O→0, I/L→1, S→5, B→8, Z→2.
    public static func fold(_ normalized: String) -> String {
        String(normalized.map { character -> Character in
            switch character {
            case "O": "0"
            case "I", "L": "1"
            case "S": "5"
            case "B": "8"
            case "Z": "2"
            default: character
            }
        })
    }

    /// A search pattern for partially obliterated serials: `?` one unknown character, `*` an
    /// unknown run; separators are ignored like in serials.
    public struct Pattern: Sendable, Equatable {
        /// The pattern normalised: letters, digits, `?` and `*`.
        public let normalized: String
        /// Letters and digits the pattern knows.
        public let knownCount: Int
        public var hasWildcards: Bool { normalized.contains("?") || normalized.contains("*") }

        /// The longest run of consecutive known characters.
        public var longestKnownRun: Int {
            var longest = 0, current = 0
            for character in normalized {
                if character == "?" || character == "*" { current = 0 } else { current += 1; longest = max(longest, current) }
            }
            return longest
        }

        /// True when an index can narrow the search: the pattern starts with a known character
        /// (a range of the b-tree) or holds three consecutive known ones (a trigram).
        public var isIndexable: Bool {
            guard let first = normalized.first else { return false }
            return (first != "?" && first != "*") || longestKnownRun >= 3
        }

        public init?(_ text: String) {
            var kept = ""
            var known = 0
            for scalar in text.uppercased().unicodeScalars {
                if ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) {
                    kept.unicodeScalars.append(scalar)
                    known += 1
                } else if scalar == "?" {
                    kept.append("?")
                } else if scalar == "*" {
                    if !kept.hasSuffix("*") { kept.append("*") }
                }
            }
            guard !kept.isEmpty else { return nil }
            normalized = kept
            knownCount = known
        }

        /// The pattern as SQL LIKE text over the normalised (or, with `folded`, the folded) serial.
        /// Only `_` and `%` are special there, and neither survives normalisation.
        public func like(folded: Bool) -> String {
            let base = folded ? Serial.fold(normalized) : normalized
            return String(base.map { $0 == "?" ? "_" : $0 == "*" ? "%" : $0 })
        }

        /// The known characters in order, for ranking by similarity.
        public func knownText(folded: Bool) -> String {
            let letters = normalized.filter { $0 != "?" && $0 != "*" }
            return folded ? Serial.fold(letters) : letters
        }
    }
}
