import Foundation
import IFCCore
import RegistryAPI

/// One line of a dealer's or broker's register (EU 2021/555 Art 4(4)): a firearm in or out,
/// when, and with whom.
public struct RegisterEntry: Sendable, Codable {
    public enum Direction: String, Sendable, Codable { case `in`, out }

    public var direction: Direction
    /// The transfer event, or for a firearm registered to the dealer, the firearm itself.
    public var entryID: UUID
    public var kind: String
    public var occurredOn: CalendarDate
    public var firearmID: UUID
    public var firearmReference: String
    public var make: String
    public var model: String?
    public var serial: String?
    /// The other party: the holder it came from or went to, or the country abroad.
    public var counterpartyHolderID: UUID?
    public var counterpartyName: String?
    public var counterpartyCountry: Country?

    enum CodingKeys: String, CodingKey {
        case direction, kind, make, model, serial
        case entryID = "entry_id", occurredOn = "occurred_on", firearmID = "firearm_id", firearmReference = "firearm_reference"
        case counterpartyHolderID = "counterparty_holder_id", counterpartyName = "counterparty_name", counterpartyCountry = "counterparty_country"
    }
}

/// The end of a dealer's or broker's trade: its register passes to the state.
public struct Cessation: Sendable {
    public var ceasedOn: CalendarDate
    public var authority: String

    public init(ceasedOn: CalendarDate, authority: String) {
        self.ceasedOn = ceasedOn
        self.authority = authority
    }
}
