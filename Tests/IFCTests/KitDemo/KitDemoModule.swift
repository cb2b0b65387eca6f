import Foundation
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO
import RegistryAPI

/// A throwaway module, built only by the tests, that uses the module kit as a new module would:
/// its own folder and schema file, one route group with roles, an audited write with a yearly
/// reference, an audited read, and a registry firearm read through the registry's public API.
struct KitDemoModule: IFCModule {
    let name = "kitdemo"
    let context: ModuleContext
    let registry: any RegistryReading
    static let references = ReferenceSeries.yearly("KD")
    static let writers = RouteSpec.Access.roles([.examiner])

    /// The module's numbered schema files (a shipped module's live in `Schema/`).
    static var migrations: [Migration] {
        get throws { try Migration.load(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Schema")) }
    }

    struct Note: Sendable, Codable {
        var id: UUID
        var reference: String
        var firearmID: UUID
        var firearmReference: String
        var text: String
        var createdBy: String

        enum CodingKeys: String, CodingKey {
            case id, reference, text
            case firearmID = "firearm_id", firearmReference = "firearm_reference", createdBy = "created_by"
        }
    }

    struct NoteBody: StrictBody {
        var firearmReference: String
        var text: String
        enum CodingKeys: String, CodingKey, CaseIterable {
            case text
            case firearmReference = "firearm_reference"
        }
    }

    var schemas: [String: JSONValue] {
        ["KitDemoNote": Schema.object(["id": Schema.uuid, "reference": ["type": "string", "pattern": .string(Self.references.pattern)],
                                       "firearm_id": Schema.uuid, "firearm_reference": Schema.string, "text": Schema.string,
                                       "created_by": Schema.string],
                                      required: ["id", "reference", "firearm_id", "firearm_reference", "text", "created_by"]),
         "NewKitDemoNote": Schema.object(["firearm_reference": Schema.text(max: 20), "text": Schema.text(max: 1000)],
                                         required: ["firearm_reference", "text"])]
    }

    func addRoutes(to routes: RouteRegistry) {
        routes.add(RouteSpec(.post, "/v1/kitdemo/notes", id: "createKitDemoNote", summary: "Note a registry firearm", tag: name,
                             access: Self.writers, body: Schema.ref("NewKitDemoNote"),
                             replies: [201: .init("noted", schema: Schema.ref("KitDemoNote"))])) { request, requestContext, principal in
            let body = try await JSONBody.decode(NoteBody.self, from: request, context: requestContext)
            guard let firearm = try await registry.firearm(reference: body.firearmReference, by: principal, requestID: requestContext.requestID) else {
                throw Problem.invalid("firearm_reference", "no firearm has this reference")
            }
            let now = context.environment.now()
            let note = try await context.database.transaction { connection in
                let note = Note(id: UUID(), reference: try await Self.references.next(at: now, on: connection), firearmID: firearm.id,
                                firearmReference: firearm.reference, text: body.text, createdBy: principal.username)
                try await connection.query("""
                    INSERT INTO kitdemo_notes (id, reference, firearm_id, text, created_by)
                    VALUES (\(note.id), \(note.reference), \(note.firearmID), \(note.text), \(note.createdBy))
                    """, logger: AuditWriter.quietLogger)
                try await AuditLog.append(AuditEntry(principal: principal, action: "kitdemo.note.create", recordType: "kitdemo_note",
                                                     recordID: note.id.uuidString, requestID: requestContext.requestID,
                                                     detail: AuditEntry.detail(["reference": note.reference])), on: connection)
                return note
            }
            return try Response.json(note, status: .created)
        }
    }
}
