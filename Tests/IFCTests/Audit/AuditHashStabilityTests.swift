import Crypto
import Foundation
import IFCCore
import Testing

/// Seals written years ago must verify with today's code: the bytes a seal's hash covers are a
/// format, not an implementation detail. These hashes were computed by the code that wrote the
/// first keyed seals; a faster serialisation must give them byte for byte.
@Suite("Audit hash stability")
struct AuditHashStabilityTests {
    static let entries = [
        StoredAuditEntry(seq: 1, atMicros: 1_764_164_707_826_000, entry: AuditEntry(
            actor: "analyst.one", actorID: UUID(uuidString: "3F2B8C1E-6A4D-4B7E-9C21-0D5E8F7A1B2C"), roles: ["analyst", "registry_clerk"],
            action: "firearm.read", recordType: "firearm", recordID: "FA-2026-000123", requestID: "req-1", outcome: .success,
            detail: #"{"serial":"ÄB-12 ✓"}"#)),
        StoredAuditEntry(seq: 2, atMicros: -1, entry: AuditEntry(
            actor: "system", actorID: nil, roles: [], action: "audit.seal", recordType: nil, recordID: nil, requestID: nil,
            outcome: .failure, detail: nil)),
        StoredAuditEntry(seq: 9_000_000_000, atMicros: 253_402_300_799_999_999, entry: AuditEntry(
            actor: "", actorID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), roles: [""], action: "x",
            recordType: "", recordID: "", requestID: "", outcome: .denied, detail: "")),
    ]

    @Test("a keyed seal over a run and an unkeyed per-entry seal hash exactly as they always have")
    func knownAnswers() {
        let key = SymmetricKey(data: Array(0..<32).map { UInt8($0) })
        let run = AuditChain.Run(position: 7, firstSeq: 1, lastSeq: 9_000_000_000, holes: [3, 4], count: 3,
                                 sealedAtMicros: 1_764_164_800_000_001, previous: Array(repeating: 0xAB, count: 32))
        #expect(AuditChain.keyedHash(key: key, run: run, entries: Self.entries).hexString == "4ba1b91a9b22b7f33efabf1d674929ca58f980b39d20c3190c89c40ec42443fb")
        #expect(AuditChain.hash(previous: AuditChain.genesis, entry: Self.entries[0]).hexString == "ceb442ae72bc5f144b8b01c31eaceaae4bb84501a581248de97bebb448dc08c4")
        #expect(AuditChain.hash(previous: Array(repeating: 1, count: 32), entry: Self.entries[2]).hexString == "4fad5de059d41a825d1bdd505d2eb8b79359ebabb017188e08d381aacdd1fbb2")
    }
}
