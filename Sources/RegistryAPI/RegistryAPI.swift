import Foundation
import IFCCore
import PostgresNIO

// The registry's public face: what another module may import. Its models (this folder) and the two
// doors into the registry, a read API and an intake API. The implementation (`Registry`, its
// stores, routes and services) is a separate target that no other module may depend on; the server
// builds it and hands other modules these protocols.

/// What other modules may ask of the registry: look up and link firearm records. Every read is
/// audited as the caller's, like a read through the API, with the module it came through, so "who
/// looked at this firearm" has one answer whichever module showed it.
public protocol RegistryReading: Sendable {
    func firearm(id: UUID, by principal: Principal, requestID: String?) async throws -> Firearm?
    func firearm(reference: String, by principal: Principal, requestID: String?) async throws -> Firearm?
    /// Firearms whose serial, normalised, is exactly that of `serial` (as marked or normalised).
    func firearms(serial: String, limit: Int, by principal: Principal, requestID: String?) async throws -> [Firearm]
    /// The registry's partial-serial search (`?` one unknown character, `*` an unknown run).
    func search(pattern: String, confusables: Bool, limit: Int, by principal: Principal, requestID: String?) async throws -> [Firearm]
    /// The serial search with its match details: exact, confusable and pattern matches, then (with
    /// `fuzzy`) serials one or two edits away narrowed by make and type; firearms and components.
    func serialCandidates(pattern: String, confusables: Bool, fuzzy: Bool, make: String?, type: FirearmType?, limit: Int,
                          by principal: Principal, requestID: String?) async throws -> (firearms: [Firearm], matches: [SearchMatch])
    /// A firearm's record with everything an answer to a tracing request is assembled from: its
    /// events (oldest first, voided ones included and marked), the holders they name, its components.
    func firearmHistory(id: UUID, by principal: Principal, requestID: String?) async throws -> FirearmHistory?
}

extension RegistryReading {
    public func firearms(serial: String, by principal: Principal, requestID: String?) async throws -> [Firearm] {
        try await firearms(serial: serial, limit: 50, by: principal, requestID: requestID)
    }
}

/// What other modules may write into the registry: an illicit find and events on a registry
/// firearm. Every write goes through the registry's own rules, versions and audit entries, on the
/// caller's transaction, so that the caller's record and the registry's commit together or not at
/// all. No other module writes the registry's tables.
public protocol RegistryIntaking: Sendable {
    /// Records an illicit find (a firearm seized, found or surrendered with no lawful record) with
    /// the event that brought it into view.
    func recordIllicitFind(_ description: FirearmDescription, event: NewEvent, by principal: Principal, requestID: String?,
                           on connection: PostgresConnection) async throws -> Firearm
    /// Records `event` on a registry firearm (e.g. `seized` when a seizure names it).
    func recordEvent(_ event: NewEvent, firearmID: UUID, by principal: Principal, requestID: String?,
                     on connection: PostgresConnection) async throws -> (FirearmEvent, Firearm)
    /// Records that a forensic examination restored the firearm's marking (condition `restored`,
    /// the method and the case) as a correction of the firearm.
    func markRestored(firearmID: UUID, method: String, caseReference: String, by principal: Principal, requestID: String?,
                      on connection: PostgresConnection) async throws -> Firearm
}

/// What `RegistryReading.firearmHistory` answers.
public struct FirearmHistory: Sendable {
    public var firearm: Firearm
    public var events: [FirearmEvent]
    public var holders: [UUID: Holder]
    public var components: [Component]

    public init(firearm: Firearm, events: [FirearmEvent], holders: [UUID: Holder], components: [Component]) {
        self.firearm = firearm
        self.events = events
        self.holders = holders
        self.components = components
    }
}
