import Crypto
import Foundation

/// The hash chain over audit entries. Each seal's hash covers the entry's full content (its
/// sequence number included, so a moved entry breaks the chain) and the previous seal's hash.
/// One definition, used by the sealer that writes seals and by `audit verify` that checks them.
public enum AuditChain {
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func hash(previous: [UInt8], entry: StoredAuditEntry) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        var buffer = [UInt8]()
        buffer.reserveCapacity(256)
        append(entry.seq, to: &buffer)
        append(entry.atMicros, to: &buffer)
        let e = entry.entry
        append(e.actor, to: &buffer)
        append(e.actorID?.uuidString.lowercased(), to: &buffer)
        append(Int64(e.roles.count), to: &buffer)
        for role in e.roles { append(role, to: &buffer) }
        append(e.action, to: &buffer)
        append(e.recordType, to: &buffer)
        append(e.recordID, to: &buffer)
        append(e.requestID, to: &buffer)
        append(e.outcome.rawValue, to: &buffer)
        append(e.detail, to: &buffer)
        hasher.update(data: buffer)
        return Array(hasher.finalize())
    }

    private static func append(_ value: Int64, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Length-prefixed, with a presence tag, so that no two field lists encode alike.
    private static func append(_ value: String?, to buffer: inout [UInt8]) {
        guard let value else {
            buffer.append(0)
            return
        }
        buffer.append(1)
        let utf8 = Array(value.utf8)
        withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: utf8)
    }
}

extension Array where Element == UInt8 {
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
