import Foundation
import ForensicsAPI
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO

/// A case's team: who may see a `confidential` or `secret` case. A member who is an examiner adds
/// and removes members, each change with its audit entry in the same transaction.
extension Forensics {
    /// Roles that read cases: a team's members hold one of them.
    static let caseReadingRoles: Set<Role> = [.analyst, .examiner, .liaison]

    var team: Team { Team(store: CaseMemberStore, record: "case", memberRoles: Self.caseReadingRoles, users: users) }

    static func subject(_ found: ForensicCase) -> Team.Subject {
        Team.Subject(id: found.id, reference: found.reference, level: Clearance(rawValue: found.confidentiality.rawValue) ?? .secret)
    }

    var teamRoutes: TeamRoutes {
        TeamRoutes(team: team, database: database, audit: audit) { id, principal, requestID, forUpdate, connection in
            Self.subject(try await requireVisibleCase(id, by: principal, requestID: requestID, forUpdate: forUpdate, on: connection))
        }
    }

    func addMemberRoutes(to routes: RouteRegistry) {
        teamRoutes.register(on: routes, records: "/v1/cases", noun: "Case", tag: name, readers: Self.caseReaders, writers: Self.caseWriters,
                            memberSchema: "CaseMember", bodySchema: "NewCaseMember",
                            summaries: (list: "A case's team, current and past: who may see a confidential or secret case",
                                        add: "Add a user to a case's team, with the reason (a member who is an examiner)",
                                        remove: "End a user's membership of a case's team (a member who is an examiner)"))
    }

    static var memberSchemas: [String: JSONValue] { Team.schemas(member: "CaseMember", body: "NewCaseMember", recordKey: "case_id") }
}
