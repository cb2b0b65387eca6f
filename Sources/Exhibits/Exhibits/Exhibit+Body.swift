import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/exhibits` (a correction's is `Patch<ExhibitFields>`).
struct ExhibitBody: StrictBody {
    var barcode: String?
    var kind: ExhibitKind?
    var caseID: UUID?
    var seizureID: UUID?
    var parentID: UUID?
    var derivation: Derivation?
    var description: String?
    var quantity: Int?
    var calibre: String?
    var sealNumber: String?
    var conditionOnReceipt: String?
    var storageLocation: String?
    var headstamp: String?
    var lot: String?
    var landsAndGrooves: Int?
    var twistDirection: TwistDirection?
    var manufactureOrigin: ManufactureOrigin?
    var firearmID: UUID?
    var receivedOn: CalendarDate?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case barcode, kind, derivation, description, quantity, calibre, headstamp, lot
        case caseID = "case_id", seizureID = "seizure_id", parentID = "parent_id", sealNumber = "seal_number"
        case conditionOnReceipt = "condition_on_receipt", storageLocation = "storage_location", landsAndGrooves = "lands_and_grooves"
        case twistDirection = "twist_direction", manufactureOrigin = "manufacture_origin", firearmID = "firearm_id"
        case receivedOn = "received_on"
    }

    func newExhibit(today: CalendarDate) throws(Problem) -> ExhibitFields {
        var checks = FieldRules()
        if barcode == nil { checks.add("barcode", "is required") }
        if kind == nil { checks.add("kind", "is required") }
        if caseID == nil { checks.add("case_id", "is required") }
        if description == nil { checks.add("description", "is required") }
        try checks.throwIfAny()
        guard let barcode, let kind, let caseID, let description else { throw Problem.invalid("body", "is incomplete") }
        return ExhibitFields(barcode: barcode, kind: kind, caseID: caseID, seizureID: seizureID, parentID: parentID, derivation: derivation,
                             description: description, quantity: quantity ?? 1, calibre: calibre, sealNumber: sealNumber,
                             conditionOnReceipt: conditionOnReceipt, storageLocation: storageLocation, headstamp: headstamp, lot: lot,
                             landsAndGrooves: landsAndGrooves, twistDirection: twistDirection, manufactureOrigin: manufactureOrigin,
                             firearmID: firearmID, receivedOn: receivedOn ?? today)
    }
}
