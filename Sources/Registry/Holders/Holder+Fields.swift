import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import RegistryAPI

/// Every field of a holder, said once: the PATCH body, the changed-field list of a change and the
/// API document's schemas come from this table.
extension NewHolder: RecordFields {
    public static let table = FieldTable<NewHolder>([
        .init("kind", \.kind, schema: Schema.enumeration(HolderKind.allCases.map(\.rawValue))),
        .init("name", \.name, schema: ["type": "string", "minLength": 1, "maxLength": 300, "pattern": "\\S"],
              check: { NewHolder.nameProblem($0) }),
        .init("id_number", \.idNumber, schema: ["type": ["string", "null"], "minLength": 1, "maxLength": 100, "pattern": "\\S"],
              check: { $0.flatMap(NewHolder.idNumberProblem) }),
        .init("address", \.address, schema: ["type": ["string", "null"], "maxLength": 1000], text: .note,
              check: { $0.flatMap { $0.unicodeScalars.count > 1000 ? "must be at most 1000 characters" : nil } }),
        .init("country", \.country, schema: Schema.country),
        // Not in the future: a rule JSON Schema cannot state (Deploy/reliability/fuzz_hooks.py names it).
        .init("date_of_birth", \.dateOfBirth, schema: ["oneOf": [Schema.date, ["type": "null"]]]),
        .init("nationality", \.nationality, schema: Schema.optionalCountry),
        .init("id_document_kind", \.idDocumentKind,
              schema: ["type": ["string", "null"], "enum": .array(IDDocumentKind.allCases.map { .string($0.rawValue) } + [.null])]),
    ])
}

extension HolderStore {
    /// The one path that changes a holder (`PATCH /v1/holders/{id}`).
    static let correction = Correction<Holder, NewHolder>(
        recordType: "holder", history: history,
        lock: { try await find(id: $0, forUpdate: true, on: $1) },
        write: { try await update(id: $0, $1, on: $2) },
        fields: \.fields, version: \.version, label: { "holder \($0.reference)" },
        changed: NewHolder.table.changed)
}
