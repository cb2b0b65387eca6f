/// Splits a SQL script into statements at top-level semicolons, as psql does: semicolons inside
/// quoted strings ('…', E'…'), quoted identifiers ("…"), dollar-quoted bodies ($$…$$, $tag$…$tag$),
/// line comments (-- …) and nested block comments (/* … */) do not split. PostgresNIO speaks only
/// the extended protocol, which takes one statement per call, so migrations run statement by
/// statement inside their one transaction.
public enum SQLSplitter {
    public static func split(_ sql: String) -> [String] {
        let chars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        var meaningful = false

        func flush() {
            let text = String(current).trimmingWhitespace()
            if meaningful && !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            meaningful = false
        }
        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < chars.count ? chars[index + offset] : nil
        }
        /// Copies scalars up to and including the closing `quote`; a doubled quote (or, for E''
        /// strings, a backslash) escapes.
        func copyQuoted(_ quote: Unicode.Scalar, backslashEscapes: Bool) {
            current.append(chars[index]); index += 1
            while index < chars.count {
                let c = chars[index]
                current.append(c); index += 1
                if backslashEscapes && c == "\\" && index < chars.count {
                    current.append(chars[index]); index += 1
                } else if c == quote {
                    if index < chars.count && chars[index] == quote {
                        current.append(chars[index]); index += 1
                    } else {
                        return
                    }
                }
            }
        }

        while index < chars.count {
            let c = chars[index]
            switch c {
            case "-" where peek(1) == "-":
                while index < chars.count && chars[index] != "\n" { current.append(chars[index]); index += 1 }
            case "/" where peek(1) == "*":
                var depth = 0
                while index < chars.count {
                    if chars[index] == "/" && peek(1) == "*" {
                        depth += 1; current.append("/"); current.append("*"); index += 2
                    } else if chars[index] == "*" && peek(1) == "/" {
                        depth -= 1; current.append("*"); current.append("/"); index += 2
                        if depth == 0 { break }
                    } else {
                        current.append(chars[index]); index += 1
                    }
                }
            case "'":
                let previous = current.last
                let escaped = (previous == "E" || previous == "e") && !isIdentifierPart(current.dropLast().last)
                meaningful = true
                copyQuoted("'", backslashEscapes: escaped)
            case "\"":
                meaningful = true
                copyQuoted("\"", backslashEscapes: false)
            case "$" where !isIdentifierPart(current.last):
                // A dollar-quote tag: $$ or $name$ where name does not start with a digit.
                var end = index + 1
                while end < chars.count && isIdentifierPart(chars[end]) && chars[end] != "$" { end += 1 }
                let tagBody = chars[(index + 1)..<min(end, chars.count)]
                if end < chars.count && chars[end] == "$" && !(tagBody.first.map { ("0"..."9").contains($0) } ?? false) {
                    let tag = Array(chars[index...end])
                    meaningful = true
                    for t in tag { current.append(t) }
                    index = end + 1
                    while index < chars.count {
                        if chars[index] == "$" && index + tag.count <= chars.count && Array(chars[index..<(index + tag.count)]) == tag {
                            for t in tag { current.append(t) }
                            index += tag.count
                            break
                        }
                        current.append(chars[index]); index += 1
                    }
                } else {
                    meaningful = true
                    current.append(c); index += 1
                }
            case ";":
                index += 1
                flush()
            default:
                if !c.properties.isWhitespace { meaningful = true }
                current.append(c); index += 1
            }
        }
        flush()
        return statements
    }

    private static func isIdentifierPart(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c == "_" || c == "$" || c.properties.isAlphabetic || ("0"..."9").contains(c)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
