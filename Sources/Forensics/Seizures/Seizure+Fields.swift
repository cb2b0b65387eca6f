import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP

/// Every field of a seizure, said once: the PATCH body, the changed-field list of a correction
/// and the API document's schemas come from this table. The seized firearms are registry records
/// with their own `seized` events, not fields of the seizure.
extension SeizureFields: RecordFields {
    public static let table = FieldTable<SeizureFields>([
        .init("agency", \.agency, schema: Forensics.text(200)),
        .init("officer", \.officer, schema: Forensics.text(200)),
        .init("seized_on", \.seizedOn, schema: Schema.date),
        .init("country", \.country, schema: Schema.country),
        .init("region", \.region, schema: Forensics.text(200, nullable: true)),
        .init("place", \.place, schema: Forensics.text(300, nullable: true)),
        .init("latitude", \.latitude, schema: ["type": ["number", "null"], "minimum": -90, "maximum": 90]),
        .init("longitude", \.longitude, schema: ["type": ["number", "null"], "minimum": -180, "maximum": 180]),
        .init("context", \.context, schema: Schema.ref("SeizureContext")),
        .init("concealment", \.concealment, schema: Forensics.text(1000, nullable: true), text: .note),
        .init("persons", \.persons, schema: ["type": "array", "items": Schema.ref("SeizedPerson"), "maxItems": .int(SeizureLimits.persons)]),
        .init("parts", \.parts, schema: ["type": "array", "items": Schema.ref("SeizedPart"), "maxItems": .int(SeizureLimits.lines)]),
        .init("ammunition", \.ammunition, schema: ["type": "array", "items": Schema.ref("SeizedAmmunition"), "maxItems": .int(SeizureLimits.lines)]),
        .init("notes", \.notes, schema: ["type": ["string", "null"], "maxLength": 4000], text: .note),
    ], refusedKeys: ["firearms": "cannot be corrected: each is a registry record with its own seized event"])
}
