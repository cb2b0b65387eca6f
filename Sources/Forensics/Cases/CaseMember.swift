import Foundation
import IFCCore
import IFCHTTP
import IFCStore

/// A membership of a case's team (the kit's `TeamMember`, its record id written `case_id`).
public typealias CaseMember = TeamMember

/// The forensic_case_members table (migration 0031): rows are added, and ended once; never
/// rewritten or deleted (the database refuses it).
let CaseMemberStore = TeamStore(table: "forensic_case_members", key: "case_id", logger: CaseStore.logger)
