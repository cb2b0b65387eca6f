import Foundation
import IFCCore

/// A licence of an international transfer: the exporting state's export licence or the
/// importing state's import licence (UN Firearms Protocol Art 10).
public struct TransferLicence: Sendable, Codable, Equatable {
    public var number: String
    public var issuedOn: CalendarDate?
    public var expiresOn: CalendarDate?

    public init(number: String, issuedOn: CalendarDate? = nil, expiresOn: CalendarDate? = nil) {
        self.number = number
        self.issuedOn = issuedOn
        self.expiresOn = expiresOn
    }

    enum CodingKeys: String, CodingKey {
        case number
        case issuedOn = "issued_on", expiresOn = "expires_on"
    }
}

/// What the law asks a record of an international transfer to hold (Firearms Protocol Art 7):
/// the licences with their dates, the exporting, importing and transit countries, the foreign
/// party and the final recipient.
public struct CrossBorder: Sendable, Codable, Equatable {
    public var exportLicence: TransferLicence?
    public var importLicence: TransferLicence?
    public var exportingCountry: Country?
    public var importingCountry: Country?
    public var transitCountries: [Country]
    /// The party abroad: the buyer of an export, the seller of an import.
    public var foreignParty: String?
    public var finalRecipient: String?

    public init(exportLicence: TransferLicence? = nil, importLicence: TransferLicence? = nil, exportingCountry: Country? = nil,
                importingCountry: Country? = nil, transitCountries: [Country] = [], foreignParty: String? = nil,
                finalRecipient: String? = nil) {
        self.exportLicence = exportLicence
        self.importLicence = importLicence
        self.exportingCountry = exportingCountry
        self.importingCountry = importingCountry
        self.transitCountries = transitCountries
        self.foreignParty = foreignParty
        self.finalRecipient = finalRecipient
    }

    enum CodingKeys: String, CodingKey {
        case exportLicence = "export_licence", importLicence = "import_licence", exportingCountry = "exporting_country"
        case importingCountry = "importing_country", transitCountries = "transit_countries", foreignParty = "foreign_party"
        case finalRecipient = "final_recipient"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        exportLicence = try c.decodeIfPresent(TransferLicence.self, forKey: .exportLicence)
        importLicence = try c.decodeIfPresent(TransferLicence.self, forKey: .importLicence)
        exportingCountry = try c.decodeIfPresent(Country.self, forKey: .exportingCountry)
        importingCountry = try c.decodeIfPresent(Country.self, forKey: .importingCountry)
        transitCountries = try c.decodeIfPresent([Country].self, forKey: .transitCountries) ?? []
        foreignParty = try c.decodeIfPresent(String.self, forKey: .foreignParty)
        finalRecipient = try c.decodeIfPresent(String.self, forKey: .finalRecipient)
    }
}
