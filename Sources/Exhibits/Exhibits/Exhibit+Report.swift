import ForensicsAPI
import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP
import IFCStore

/// The case report's view of its exhibits: each with its condition and seal on receipt and its
/// chain of custody, read (and audited) as the report's reader. It needs only the store, so the
/// forensics module gets it when it is built, before the exhibits module (which reads forensics).
public struct CaseExhibitsForReport: CaseExhibitSource {
    let database: Database
    let audit: AuditWriter

    public init(_ context: ModuleContext) {
        database = context.database
        audit = context.audit
    }

    public func reportExhibits(caseID: UUID, by principal: Principal, requestID: String?) async throws -> [ReportExhibit] {
        let found = try await database.withConnection { connection -> [(Exhibit, [CustodyEntry])] in
            var found: [(Exhibit, [CustodyEntry])] = []
            for exhibit in try await ExhibitStore.ofCase(caseID, on: connection) {
                found.append((exhibit, try await CustodyStore.entries(exhibitID: exhibit.id, on: connection)))
            }
            return found
        }
        try await audit.recordReads(of: found.map(\.0.id), action: "exhibit.list", recordType: "exhibit", by: principal,
                                    requestID: requestID, query: ["case_id": caseID.uuidString.lowercased(), "via": "forensics.report"])
        return found.map { exhibit, entries in
            ReportExhibit(reference: exhibit.reference, barcode: exhibit.barcode, kind: exhibit.kind.rawValue, description: exhibit.description,
                          quantity: exhibit.quantity, receivedOn: exhibit.receivedOn, conditionOnReceipt: exhibit.conditionOnReceipt,
                          sealNumber: exhibit.sealNumber, sealBroken: exhibit.sealBroken,
                          custody: entries.map {
                              ReportExhibit.CustodyStep(event: $0.event.rawValue, custodian: $0.custodian, recordedBy: $0.recordedBy, at: $0.at,
                                                        sealNumber: $0.sealNumber, sealIntact: $0.sealIntact)
                          })
        }
    }
}
