import Foundation
import IFCCore
import Logging
import PostgresNIO

/// What a verification found: each break of the trail, and the counts.
extension AuditVerifier {
    /// One place where the chain does not hold.
    public struct Break: Sendable, Equatable {
        /// The seal's position, when the break is in a seal.
        public var position: Int64?
        /// The entry's sequence, when one entry is at fault, else the first of the seal's run.
        public var seq: Int64?
        /// The last sequence of the run at fault, when the break is in a run's content (a keyed
        /// seal covers its run as a whole: which of its entries changed is not known).
        public var lastSeq: Int64?
        public var reason: String

        public init(position: Int64?, seq: Int64?, lastSeq: Int64? = nil, reason: String) {
            self.position = position
            self.seq = seq
            self.lastSeq = lastSeq
            self.reason = reason
        }

        /// Whether entry `seq` is the one at fault, or in the run at fault.
        public func covers(_ entry: Int64) -> Bool {
            guard let seq else { return false }
            return entry == seq || (lastSeq.map { seq <= entry && entry <= $0 } ?? false)
        }

        public var line: String {
            guard let seq else { return "broken: " + reason }
            if let lastSeq, lastSeq != seq { return "broken at sequences \(seq)-\(lastSeq): " + reason }
            return "broken at sequence \(seq): " + reason
        }
    }

    public struct Report: Sendable, Equatable {
        /// Entries held by seals that verify, or were checked (all of them, broken or not).
        public var sealed: Int
        public var unsealed: Int
        /// Every break found, in chain order (the walk goes on past each one).
        public var breaks: [Break] = []

        public init(sealed: Int, unsealed: Int, breaks: [Break] = []) {
            self.sealed = sealed
            self.unsealed = unsealed
            self.breaks = breaks
        }

        /// The sequence of the first break's entry, and why.
        public var brokenAt: Int64? { breaks.first?.seq }
        public var reason: String? { breaks.first?.reason }

        public var ok: Bool { breaks.isEmpty }

        public var summary: String {
            if ok {
                return "ok \(sealed) entries" + (unsealed > 0 ? " (\(unsealed) awaiting seal)" : "")
            }
            return breaks.map(\.line).joined(separator: "\n")
        }
    }
}
