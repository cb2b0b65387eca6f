import Foundation
import IFCCore

extension CrossBorder {
    /// The rules of a transfer abroad in `direction` (export or import), each failure naming its
    /// field under `prefix`: an export needs the export licence and the importing state's import
    /// licence (Firearms Protocol Art 10); an import needs its import licence; the countries
    /// named must make sense.
    public func problems(direction: TransferKind, prefix: String = "cross_border") -> [Problem.FieldError] {
        var errors = FieldRules()
        if direction == .export && exportLicence == nil {
            errors.add("\(prefix).export_licence", "is required for an export (Firearms Protocol Art 10)")
        }
        if importLicence == nil {
            errors.add("\(prefix).import_licence", "is required: the importing state's licence (Firearms Protocol Art 10)")
        }
        for (licence, name) in [(exportLicence, "export_licence"), (importLicence, "import_licence")] {
            guard let licence else { continue }
            errors.check(licence.number, "\(prefix).\(name).number", max: 100, required: true)
            if let issued = licence.issuedOn, let expires = licence.expiresOn, expires < issued {
                errors.add("\(prefix).\(name).expires_on", "is before issued_on")
            }
        }
        if let from = exportingCountry, let to = importingCountry, from == to {
            errors.add("\(prefix).importing_country", "is the exporting country")
        }
        if transitCountries.count > 20 { errors.add("\(prefix).transit_countries", "must name at most 20 countries") }
        errors.check(foreignParty, "\(prefix).foreign_party", max: 300, required: true)
        errors.check(finalRecipient, "\(prefix).final_recipient", max: 300, required: true)
        return errors.list
    }
}
