import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import RegistryAPI

/// Every field of an examination, said once: the PATCH body, the changed-field list of a
/// correction and the API document's schemas come from this table.
extension ExaminationFields: RecordFields {
    static let day: JSONValue = ["oneOf": [Schema.date, ["type": "null"]]]

    public static let table = FieldTable<ExaminationFields>([
        .init("kind", \.kind, schema: Schema.ref("ExaminationKind"), change: .fixed("cannot change: record another examination")),
        .init("method", \.method, schema: Forensics.text(300, nullable: true)),
        .init("requested_on", \.requestedOn, schema: day),
        .init("started_on", \.startedOn, schema: day),
        .init("completed_on", \.completedOn, schema: day),
        .init("result", \.result, schema: Forensics.text(8000, nullable: true), text: .note),
        .init("afte_conclusion", \.afteConclusion, schema: ["oneOf": [Schema.ref("AFTEConclusion"), ["type": "null"]]]),
        .init("elimination_reason", \.eliminationReason, schema: Forensics.text(2000, nullable: true), text: .note),
        .init("recovered_serial", \.recoveredSerial,
              schema: ["type": ["string", "null"], "minLength": 1, "maxLength": 100, "pattern": .string(RecoveredSerial.pattern)]),
        .init("part_examined", \.partExamined, schema: Forensics.enumeration(MarkingPart.allCases.map(\.rawValue), nullable: true)),
    ])

    /// A correction's fields as a patch leaves them, normalised as on intake: a recovered serial
    /// in upper case (once it is known to be letters, digits and `?`), and no elimination reason
    /// left behind by a conclusion other than elimination.
    static func corrected(_ fields: ExaminationFields, by patch: Patch<ExaminationFields>) -> ExaminationFields {
        var changed = patch.applied(to: fields)
        changed.recoveredSerial = changed.recoveredSerial.map { RecoveredSerial.isValid($0) ? RecoveredSerial.normalized($0) : $0 }
        if patch.given.contains("afte_conclusion"), changed.afteConclusion != .elimination, !patch.given.contains("elimination_reason") {
            changed.eliminationReason = nil
        }
        return changed
    }
}
