import Foundation
import IFCCore
import IFCStore
import PostgresNIO
import RegistryAPI

/// The forensics module's answer to the registry's "may this reader be shown that case
/// reference?" (a restored firearm's `restoration_case`): a reference naming no case of this node
/// is shown (the registry keeps what a clerk typed from another laboratory's paper); one naming a
/// case is shown only to a user whose role reads cases and who may see that case by the
/// need-to-know rule (`forensic_case_visible`, liaison scope included). One statement for all the
/// references of an answer.
public struct CaseDisclosure: CaseDisclosing {
    let database: Database

    public func disclosable(_ references: Set<String>, to principal: Principal) async throws -> Set<String> {
        guard !references.isEmpty else { return [] }
        let readsCases = !Forensics.caseReadingRoles.isDisjoint(with: principal.roles)
        let viewer = CaseViewer(principal)
        return try await database.withConnection { connection in
            let rows = try await connection.query("""
                SELECT r.reference FROM unnest(\(Array(references))::text[]) AS r(reference)
                WHERE NOT EXISTS (SELECT 1 FROM forensic_cases c WHERE c.reference = r.reference)
                   OR (\(readsCases) AND EXISTS (SELECT 1 FROM forensic_cases c
                                               WHERE c.reference = r.reference
                                                 AND forensic_case_visible(c.id, c.confidentiality, \(viewer.userID),
                                                                           \(viewer.clearance.rawValue), \(viewer.tracedOnly))))
                """, logger: CaseStore.logger)
            var shown: Set<String> = []
            for try await reference in rows.decode(String.self) { shown.insert(reference) }
            return shown
        }
    }
}

extension Forensics {
    /// What the registry asks before it shows a restored firearm's `restoration_case`.
    public func caseDisclosure() -> CaseDisclosure { CaseDisclosure(database: database) }
}
