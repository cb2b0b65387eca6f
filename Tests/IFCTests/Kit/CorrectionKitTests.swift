import Foundation
@testable import Exhibits
import HTTPTypes
import IFCCore
import IFCHTTP
import PostgresNIO
import Testing

/// The kit's one path for corrections: a record's field table makes its PATCH body, its
/// changed-field list and its schema; `Correction` writes the version, history and audit together.
@Suite("Kit: field tables and corrections")
struct CorrectionKitTests {
    static func patch(_ json: String) throws -> Patch<ExhibitFields> {
        try JSONBody.decode(Patch<ExhibitFields>.self, from: Data(json.utf8))
    }

    static func refusal(_ json: String) -> Problem? {
        do {
            _ = try patch(json)
            return nil
        } catch {
            return error as? Problem
        }
    }

    static let fields = ExhibitFields(barcode: "B-1", kind: .cartridgeCase, caseID: UUID(), seizureID: nil, parentID: nil, derivation: nil,
                                      description: "one case", quantity: 1, calibre: nil, sealNumber: "S-1", conditionOnReceipt: nil,
                                      storageLocation: nil, headstamp: nil, lot: nil, landsAndGrooves: nil, twistDirection: nil,
                                      manufactureOrigin: nil, firearmID: nil, receivedOn: CalendarDate("2026-03-14")!)

    @Test("a patch sets the fields it gives and the table names what changed, in its order")
    func patchApplies() throws {
        let changed = try Self.patch(#"{"headstamp":"WIN","quantity":3,"calibre":"9mm"}"#).applied(to: Self.fields)
        #expect(changed.quantity == 3 && changed.calibre == "9mm" && changed.headstamp == "WIN")
        #expect(changed.barcode == Self.fields.barcode)
        #expect(ExhibitFields.table.changed(Self.fields, changed) == ["quantity", "calibre", "headstamp"])
        #expect(ExhibitFields.table.changed(Self.fields, Self.fields) == [])
    }

    @Test("a patch refuses unknown keys, fields a correction may not change (saying how they change), and bodies that set nothing")
    func patchRefuses() {
        let unknown = Self.refusal(#"{"quantitty":3}"#)
        #expect(unknown?.status == 422 && unknown?.errors?.map(\.field) == ["quantitty"])
        let fixed = Self.refusal(#"{"barcode":"X","seal_number":"S-2","quantity":2}"#)
        #expect(fixed?.status == 422)
        #expect(fixed?.errors?.map(\.field) == ["barcode", "seal_number"])
        #expect(fixed?.errors?.last?.detail.contains("re-sealing") == true)
        let nothing = Self.refusal(#"{"calibre":null}"#)
        #expect(nothing?.errors?.map(\.field) == ["body"] && nothing?.errors?.first?.detail == "names no change")
        let mistyped = Self.refusal(#"{"quantity":"two"}"#)
        #expect(mistyped?.errors?.map(\.field) == ["quantity"])
        // Every wrong field in one answer: a mistyped value, a value outside its enumeration and a fixed field.
        let several = Self.refusal(#"{"quantity":"two","twist_direction":"sideways","kind":"bullet","calibre":"9mm"}"#)
        #expect(Set(several?.errors?.map(\.field) ?? []) == ["quantity", "twist_direction", "kind"])
    }

    @Test("the correction schema in the API document lists exactly the correctable fields")
    func correctionSchemaFollowsTable() throws {
        guard case .object(let schema) = ExhibitFields.table.correctionSchema, case .object(let properties)? = schema["properties"] else {
            throw TestFailure("the correction schema is not an object with properties")
        }
        let correctable = Set(ExhibitFields.table.fields.filter(\.correctable).map(\.name))
        #expect(Set(properties.keys) == correctable)
        #expect(!correctable.contains("barcode") && correctable.contains("storage_location"))
        #expect(schema["additionalProperties"] == false)
    }

    @Test("a correction writes the version, its history entry and its audit entry with the changed fields; a no-op writes nothing")
    func correctionWritesHistoryAndAudit() async throws {
        try await withTestApp { app in
            let examiner = try await app.token(roles: [.examiner])
            let caseID = try await ExhibitsTests.openCase(app, examiner: examiner)
            let id = try #require(try await ExhibitsTests.create(app, examiner: examiner, ExhibitsTests.exhibit(case: caseID))["id"] as? String)
            let path = "/v1/exhibits/\(id)"
            let corrected = try await app.request(.patch, path, token: examiner, json: #"{"headstamp":"WIN","calibre":"9mm Luger"}"#,
                                                  headers: [.ifMatch: "\"1\""])
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(try corrected.object["headstamp"] as? String == "WIN")
            let uuid = try #require(UUID(uuidString: id))
            let change = try await app.database.asOwner {
                try await $0.scalar("SELECT change FROM exhibit_versions WHERE exhibit_id = \(uuid) AND version = 2", as: String.self)
            }
            #expect(change == "corrected: calibre, headstamp")
            let changed = try await app.database.asOwner {
                try await $0.scalar("""
                    SELECT detail->>'changed' FROM audit_entries
                    WHERE lower(record_id) = lower(\(id)) AND action = 'exhibit.update' AND detail->>'version' = '2'
                    """, as: String.self)
            }
            #expect(changed == "calibre,headstamp")
            let same = try await app.request(.patch, path, token: examiner, json: #"{"headstamp":"WIN"}"#, headers: [.ifMatch: "\"2\""])
            #expect(same.status == .unprocessableContent)
            #expect(try same.problemFields == ["body"])
            let versions = try await app.database.asOwner {
                try await $0.scalar("SELECT count(*) FROM exhibit_versions WHERE exhibit_id = \(uuid)", as: Int.self)
            }
            #expect(versions == 2)
        }
    }
}
