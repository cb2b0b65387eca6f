/// A login name: 3 to 64 characters of letters, digits, `.`, `_`, `-`, starting with a letter.
/// Validated once at the edge; compared case-insensitively by the store.
public struct Username: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init?(_ raw: String) {
        let scalars = raw.unicodeScalars
        guard (3...64).contains(scalars.count), let first = scalars.first,
              first.properties.isAlphabetic, first.isASCII else { return nil }
        for s in scalars {
            guard s.isASCII else { return nil }
            switch s {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": continue
            default: return nil
            }
        }
        self.value = raw
    }

    public var description: String { value }
}

/// Rules a password must meet. Kept apart from hashing so that they test fast.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 72  // bcrypt reads at most 72 bytes

    /// Returns a reason when the password is unacceptable.
    public static func problem(with password: String) -> String? {
        let bytes = password.utf8.count
        // Counted in code points, as the API document's minLength counts.
        if password.unicodeScalars.count < minimumLength { return "must be at least \(minimumLength) characters" }
        if bytes > maximumLength { return "must be at most \(maximumLength) bytes" }
        if password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "must not contain control characters"
        }
        return nil
    }
}
