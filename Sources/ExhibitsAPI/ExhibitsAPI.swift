import Foundation
import IFCCore

// The exhibits module's public face: what another module may import. Its models (this folder) and
// its read API; the implementation (`Exhibits`) is a separate target no other module depends on.

/// What other modules (tracing) may ask of the exhibits module: an exhibit, by id or number. Every
/// read is audited as the caller's, with the module it came through (`detail.query.via`), so "who
/// looked at this exhibit" has one answer whichever module showed it.
public protocol ExhibitsReading: Sendable {
    func exhibit(id: UUID, by principal: Principal, requestID: String?) async throws -> Exhibit?
    /// An exhibit by its number (`EX-2026-000123`).
    func exhibit(reference: String, by principal: Principal, requestID: String?) async throws -> Exhibit?
}
