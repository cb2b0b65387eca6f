import Foundation

/// The characters no text the API takes may hold, whatever the field: C0 and C1 control
/// characters and DEL, the bidirectional controls (marks, embeddings, overrides, isolates) that
/// make a reference or a name read differently from what is stored, the line and paragraph
/// separators, a byte order mark inside text, and the interlinear annotation controls that hide
/// text. Free-text notes (`TextRule.noteFields`) may break lines (TAB, LF, CR) and nothing else.
/// Nothing is stripped: a text holding one is refused (422 naming the field).
///
/// One rule for the three places text enters: JSON bodies (`JSONBody` walks every string and
/// object key), query parameters (`QueryParameters.text`) and CSV imports; and the API document
/// states it as a `pattern` on every string a request takes (`pattern(for:)`), built from the
/// same ranges, so a generated client sends nothing the server refuses.
public enum TextRule {
    public enum Kind: Sendable, Equatable {
        /// One line of text: a name, a number, a place.
        case line
        /// A free-text note: line breaks (TAB, LF, CR) allowed.
        case note
    }

    /// Fields whose text is a free-text note, by JSON key (the last name in the field's path) or
    /// query parameter name. A module naming its note field one of these gets line breaks there;
    /// every other string is one line.
    public static let noteFields: Set<String> = [
        // notes and remarks
        "notes", "note", "remarks", "decision_note", "description", "text", "body", "address",
        // reasons
        "reason", "amendment_reason", "status_reason", "elimination_reason", "cancel_reason", "withdrawal_reason",
        // findings and conditions
        "result", "condition", "condition_on_receipt", "concealment", "diversion_how", "circumstances",
        // a tracing request's justification
        "legal_basis", "illicit_nature", "intended_use", "restrictions",
    ]

    public static func kind(ofField name: String) -> Kind {
        noteFields.contains(name) ? .note : .line
    }

    /// The kind of text at a field path as the API names it (`firearms[0].notes` → `notes`).
    public static func kind(ofPath path: String) -> Kind {
        var name = Substring(path)
        if let dot = name.lastIndex(of: ".") { name = name[name.index(after: dot)...] }
        if let bracket = name.firstIndex(of: "[") { name = name[..<bracket] }
        return kind(ofField: String(name))
    }

    /// The refused ranges, as (first, last) code points; line breaks are refused in lines only.
    static let refusedEverywhere: [ClosedRange<UInt32>] = [
        0x00...0x08, 0x0B...0x0C, 0x0E...0x1F, // C0 controls but TAB, LF, CR
        0x7F...0x9F, // DEL and C1 controls
        0x061C...0x061C, // ARABIC LETTER MARK
        0x200E...0x200F, // LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK
        0x2028...0x202E, // LINE and PARAGRAPH SEPARATOR; bidirectional embeddings and overrides
        0x2066...0x2069, // bidirectional isolates
        0xFEFF...0xFEFF, // BYTE ORDER MARK (ZERO WIDTH NO-BREAK SPACE)
        0xFFF9...0xFFFB, // interlinear annotation controls
    ]
    static let lineBreaks: [ClosedRange<UInt32>] = [0x09...0x0A, 0x0D...0x0D]

    /// The refused ranges of a kind, adjacent ones joined.
    static func ranges(_ kind: Kind) -> [ClosedRange<UInt32>] {
        let all = (kind == .note ? refusedEverywhere : refusedEverywhere + lineBreaks).sorted { $0.lowerBound < $1.lowerBound }
        var joined: [ClosedRange<UInt32>] = []
        for range in all {
            if let last = joined.last, range.lowerBound <= last.upperBound + 1 {
                joined[joined.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                joined.append(range)
            }
        }
        return joined
    }

    public static func refuses(_ scalar: Unicode.Scalar, in kind: Kind) -> Bool {
        let value = scalar.value
        // Fast path: printable ASCII and most letters are never refused.
        if (0x20...0x7E).contains(value) { return false }
        if kind == .line && (value == 0x09 || value == 0x0A || value == 0x0D) { return true }
        return refusedEverywhere.contains { $0.contains(value) }
    }

    /// Why `text` is refused as a text of this kind, or nil when it is fine.
    public static func refusal(_ text: some StringProtocol, as kind: Kind) -> String? {
        guard let scalar = text.unicodeScalars.first(where: { refuses($0, in: kind) }) else { return nil }
        return "contains \(describe(scalar)), which text here may not hold"
            + (kind == .line && [0x09, 0x0A, 0x0D].contains(scalar.value) ? " (line breaks only in free-text notes)" : "")
    }

    /// False when the UTF-8 text of a JSON document cannot hold a refused character in any of
    /// its strings, so that the walk over its values can be skipped: no control byte, no DEL, no
    /// escape spelling a line break or a refused character (`\n`, `\u202e`…), and none of the
    /// UTF-8 sequences of the refused characters above U+007F. Names, places and notes in any
    /// script, raw or escaped, pass; true is only "look closer" (a line break may be in a note).
    public static func mayRefuse(json data: Data) -> Bool {
        data.withUnsafeBytes { mayRefuse(json: $0) }
    }

    public static func mayRefuse(json bytes: UnsafeRawBufferPointer) -> Bool {
        var first: UInt8 = 0, second: UInt8 = 0 // the two bytes before this one
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            defer { (first, second) = (second, byte) }
            index += 1
            // Printable ASCII but the backslash: nothing to look at.
            if byte >= 0x20 && byte < 0x7F && byte != 0x5C { continue }
            switch (first, second, byte) {
            case (_, _, 0x00...0x1F), (_, _, 0x7F): return true // C0 controls (JSON forbids them raw), DEL
            case (_, _, 0x5C): // an escape
                guard index < bytes.count else { return false }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "b"), UInt8(ascii: "f"): return true
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count else { return true }
                    var value: UInt32 = 0
                    for digit in bytes[index..<index + 4] {
                        guard let nibble = hexValue(digit) else { return true }
                        value = value << 4 | nibble
                    }
                    index += 4
                    if let scalar = Unicode.Scalar(value), refuses(scalar, in: .line) { return true }
                default:
                    break
                }
            case (_, 0xC2, 0x80...0x9F): return true // C1 controls
            case (_, 0xD8, 0x9C): return true // U+061C
            case (0xE2, 0x80, 0x8E...0x8F), (0xE2, 0x80, 0xA8...0xAE), (0xE2, 0x81, 0xA6...0xA9): return true // U+200E/F, U+2028–202E, U+2066–2069
            case (0xEF, 0xBB, 0xBF), (0xEF, 0xBF, 0xB9...0xBB): return true // U+FEFF, U+FFF9–FFFB
            default: break
            }
        }
        return false
    }

    static func hexValue(_ digit: UInt8) -> UInt32? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(digit - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(digit - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(digit - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The refusal of a field by its name or path, as `refusal(_:as:)`.
    public static func refusal(_ text: some StringProtocol, field: String) -> String? {
        refusal(text, as: kind(ofPath: field))
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = "U+" + escape(scalar.value).dropFirst(2)
        let what: String
        switch scalar.value {
        case 0x00: what = "a NUL character"
        case 0x09: what = "a tab"
        case 0x0A, 0x0D: what = "a line break"
        case 0x00...0x1F, 0x7F...0x9F: what = "a control character"
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: what = "a bidirectional control"
        case 0x2028, 0x2029: what = "a line or paragraph separator"
        case 0xFEFF: what = "a byte order mark"
        default: what = "an invisible formatting control"
        }
        return "\(what) (\(code))"
    }

    /// The refused characters as the body of an ECMA-262 character class (`\uXXXX` escapes, no
    /// `u` flag needed; Python's `re` reads it alike), for patterns that must exclude them.
    public static func refusedClass(_ kind: Kind) -> String {
        ranges(kind).map { range in
            range.lowerBound == range.upperBound ? escape(range.lowerBound) : escape(range.lowerBound) + "-" + escape(range.upperBound)
        }.joined()
    }

    /// A pattern matching exactly the texts of this kind holding no refused character.
    public static func pattern(_ kind: Kind) -> String {
        "^[^\(refusedClass(kind))]*$"
    }

    static func escape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
