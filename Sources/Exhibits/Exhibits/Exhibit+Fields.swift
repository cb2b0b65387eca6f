import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP

/// Every field of an exhibit's description, said once: the PATCH body, the changed-field list of
/// a correction and the API document's schemas come from this table.
extension ExhibitFields: RecordFields {
    /// Identity and intake do not change by correction: the exhibit is another exhibit then.
    static let identity = RecordField<ExhibitFields>.Change.fixed("does not change on an exhibit: record another exhibit")

    public static let table = FieldTable<ExhibitFields>([
        .init("barcode", \.barcode, schema: Exhibits.text(100), change: identity),
        .init("kind", \.kind, schema: Schema.ref("ExhibitKind"), change: identity),
        .init("case_id", \.caseID, schema: Schema.uuid, change: identity),
        .init("seizure_id", \.seizureID, schema: Schema.nullable("string", format: "uuid"), change: identity),
        .init("parent_id", \.parentID, schema: Schema.nullable("string", format: "uuid"), change: identity),
        .init("derivation", \.derivation, schema: Exhibits.optional(Schema.ref("Derivation")), change: identity),
        .init("description", \.description, schema: Exhibits.text(2000), text: .note),
        .init("quantity", \.quantity, schema: ["type": "integer", "minimum": 1, "maximum": .int(ExhibitLimits.quantity.upperBound)]),
        .init("calibre", \.calibre, schema: Exhibits.text(50, nullable: true)),
        .init("seal_number", \.sealNumber, schema: Exhibits.text(100, nullable: true),
              change: .fixed("changes only by re-sealing (POST /v1/exhibits/{id}/seals)")),
        .init("condition_on_receipt", \.conditionOnReceipt, schema: Exhibits.text(1000, nullable: true), text: .note),
        .init("storage_location", \.storageLocation, schema: Exhibits.text(200, nullable: true)),
        .init("headstamp", \.headstamp, schema: Exhibits.text(100, nullable: true)),
        .init("lot", \.lot, schema: Exhibits.text(100, nullable: true)),
        .init("lands_and_grooves", \.landsAndGrooves,
              schema: ["type": ["integer", "null"], "minimum": 1, "maximum": .int(ExhibitLimits.landsAndGrooves.upperBound)]),
        .init("twist_direction", \.twistDirection, schema: Exhibits.optional(Schema.ref("TwistDirection"))),
        .init("manufacture_origin", \.manufactureOrigin, schema: Exhibits.optional(Schema.ref("ManufactureOrigin"))),
        .init("firearm_id", \.firearmID, schema: Schema.nullable("string", format: "uuid"), change: identity),
        .init("received_on", \.receivedOn, schema: Schema.date, change: identity),
    ])
}
