import IFCCore

extension Serial.Pattern {
    /// A pattern the registry can search without reading all of it, or a 422 naming `field`.
    public static func checked(_ text: String, field: String = "serial") throws(Problem) -> Serial.Pattern {
        guard text.unicodeScalars.count <= 100 else { throw Problem.invalid(field, "must be at most 100 characters") }
        guard let pattern = Serial.Pattern(text) else { throw Problem.invalid(field, "must contain letters, digits, ? or *") }
        guard pattern.knownCount >= 3 else {
            throw Problem.invalid(field, "needs at least 3 known characters; fewer would match most of the registry")
        }
        guard pattern.isIndexable else {
            throw Problem.invalid(field, "must start with a known character or hold three known characters in a row "
                                  + "(e.g. *123*); scattered characters would mean reading the whole registry")
        }
        return pattern
    }
}
