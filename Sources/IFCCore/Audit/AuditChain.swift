import Crypto
import Foundation

/// The hash chain over audit entries. Each seal's hash covers the entry's full content (its
/// sequence number included, so a moved entry breaks the chain) and the previous seal's hash.
/// One definition, used by the sealer that writes seals and by `audit verify` that checks them.
public enum AuditChain {
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// The hash of a seal written before seals were keyed: one entry, plain SHA-256.
    public static func hash(previous: [UInt8], entry: StoredAuditEntry) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        var buffer = [UInt8]()
        buffer.reserveCapacity(256)
        serialize(entry, into: &buffer)
        hasher.update(data: buffer)
        return Array(hasher.finalize())
    }

    /// A keyed seal over a run of entries: what it says about itself (position, the run's first
    /// and last sequence, its holes, how many entries, when it was sealed, the previous seal's
    /// hash), then each entry in sequence order.
    public struct Run: Sendable, Equatable {
        public var position: Int64
        public var firstSeq: Int64
        public var lastSeq: Int64
        public var holes: [Int64]
        public var count: Int
        public var sealedAtMicros: Int64
        public var previous: [UInt8]

        public init(position: Int64, firstSeq: Int64, lastSeq: Int64, holes: [Int64], count: Int, sealedAtMicros: Int64, previous: [UInt8]) {
            self.position = position
            self.firstSeq = firstSeq
            self.lastSeq = lastSeq
            self.holes = holes
            self.count = count
            self.sealedAtMicros = sealedAtMicros
            self.previous = previous
        }

        /// The sequences the run holds, in order.
        public var sequences: [Int64] {
            let skipped = Set(holes)
            return (firstSeq...lastSeq).filter { !skipped.contains($0) }
        }
    }

    /// Computes a keyed seal's HMAC-SHA-256 as entries are fed in order.
    public struct RunHasher {
        private var hmac: HMAC<SHA256>
        private var buffer = [UInt8]()

        public init(key: SymmetricKey, run: Run) {
            hmac = HMAC<SHA256>(key: key)
            var header = Array("ifcd-audit-seal-v2".utf8)
            append(run.position, to: &header)
            append(run.firstSeq, to: &header)
            append(run.lastSeq, to: &header)
            append(Int64(run.count), to: &header)
            append(Int64(run.holes.count), to: &header)
            for hole in run.holes { append(hole, to: &header) }
            append(run.sealedAtMicros, to: &header)
            header.append(contentsOf: run.previous)
            hmac.update(data: header)
            buffer.reserveCapacity(512)
        }

        public mutating func add(_ entry: StoredAuditEntry) {
            buffer.removeAll(keepingCapacity: true)
            // The entry's length, then the entry, in one update.
            buffer.append(contentsOf: repeatElement(0, count: 8))
            serialize(entry, into: &buffer)
            withUnsafeBytes(of: Int64(buffer.count - 8).bigEndian) { length in
                for index in 0..<8 { buffer[index] = length[index] }
            }
            hmac.update(data: buffer)
        }

        public func finalize() -> [UInt8] { Array(hmac.finalize()) }

        private func append(_ value: Int64, to buffer: inout [UInt8]) { AuditChain.append(value, to: &buffer) }
    }

    public static func keyedHash(key: SymmetricKey, run: Run, entries: [StoredAuditEntry]) -> [UInt8] {
        var hasher = RunHasher(key: key, run: run)
        for entry in entries { hasher.add(entry) }
        return hasher.finalize()
    }

    /// The entry's content, sequence and time included, in a form no two entries share.
    static func serialize(_ entry: StoredAuditEntry, into buffer: inout [UInt8]) {
        append(entry.seq, to: &buffer)
        append(entry.atMicros, to: &buffer)
        let e = entry.entry
        append(e.actor, to: &buffer)
        append(e.actorID?.lowercasedString, to: &buffer)
        append(Int64(e.roles.count), to: &buffer)
        for role in e.roles { append(role, to: &buffer) }
        append(e.action, to: &buffer)
        append(e.recordType, to: &buffer)
        append(e.recordID, to: &buffer)
        append(e.requestID, to: &buffer)
        append(e.outcome.rawValue, to: &buffer)
        append(e.detail, to: &buffer)
    }

    fileprivate static func append(_ value: Int64, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Length-prefixed, with a presence tag, so that no two field lists encode alike.
    fileprivate static func append(_ value: String?, to buffer: inout [UInt8]) {
        guard let value else {
            buffer.append(0)
            return
        }
        buffer.append(1)
        withUnsafeBytes(of: UInt32(value.utf8.count).bigEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: value.utf8)
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
