import ExhibitsAPI
import Foundation
import IFCCore

/// What a draft made from a ballistic exhibit takes from it. No HTTP, no SQL.
extension FieldRules {
    /// Ammunition and what is left of it (cases, bullets, fragments) is not traced: a trace
    /// follows a firearm or a part of one (ITI para 4).
    static let untraceable: Set<ExhibitKind> = [.cartridgeCase, .bullet, .bulletFragment, .liveAmmunition]

    /// The links a request gives beside `exhibit_id` must be the exhibit's own: its case, its
    /// seizure, its registry firearm.
    static func exhibitLinks(_ exhibit: Exhibit, seizureID: UUID?, caseID: UUID?, firearmID: UUID?) -> [Problem.FieldError] {
        var rules = FieldRules()
        if untraceable.contains(exhibit.kind) {
            rules.add("exhibit_id", "is a \(exhibit.kind.rawValue.replacingOccurrences(of: "_", with: " ")): a trace follows a firearm or a part of one")
        }
        if let caseID, caseID != exhibit.caseID {
            rules.add("exhibit_id", "belongs to another case than case_id")
        }
        if let seizureID, let own = exhibit.seizureID, seizureID != own {
            rules.add("exhibit_id", "belongs to another seizure than seizure_id")
        }
        if let firearmID, let own = exhibit.firearmID, firearmID != own {
            rules.add("exhibit_id", "is another registry firearm than firearm_id")
        }
        return rules.list
    }

    /// The firearm as found, completed with what the exhibit records: its calibre and, as its
    /// description, its number, kind and description (what the request gave stays).
    static func foundFirearm(_ given: FoundFirearm?, from exhibit: Exhibit) -> FoundFirearm {
        var found = given ?? FoundFirearm()
        if found.calibre == nil, let calibre = exhibit.calibre, !calibre.isBlank { found.calibre = String(String.UnicodeScalarView(calibre.unicodeScalars.prefix(50))) }
        if found.description == nil {
            let text = "exhibit \(exhibit.reference) (\(exhibit.kind.rawValue.replacingOccurrences(of: "_", with: " "))): \(exhibit.description)"
            found.description = String(String.UnicodeScalarView(text.unicodeScalars.prefix(2000)))
        }
        return found
    }
}
