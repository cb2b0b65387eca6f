import Foundation
import IFCCore
import IFCStore
import RegistryAPI
import Synchronization

/// Where the registry asks which forensic case references a reader may be shown (the forensics
/// module's `CaseDisclosing`, handed over by the server once both modules are built: the registry
/// is built first, since forensics reads it). Until it is given, no case reference is shown: the
/// rule fails closed.
public final class CaseDisclosureSource: Sendable {
    private let source = Mutex<(any CaseDisclosing)?>(nil)

    init() {}

    func set(_ disclosing: any CaseDisclosing) { source.withLock { $0 = disclosing } }

    /// The subset of `references` that `principal` may be shown.
    func disclosable(_ references: Set<String>, to principal: Principal) async throws -> Set<String> {
        guard !references.isEmpty, let disclosing = source.withLock({ $0 }) else { return [] }
        return try await disclosing.disclosable(references, to: principal)
    }
}

extension Registry {
    /// Hands the registry the forensics module's answer to "may this reader see that case?".
    public func discloseCases(through disclosing: any CaseDisclosing) {
        caseDisclosure.set(disclosing)
    }

    /// `firearms` as `principal` may see them: a restored firearm's `restoration_case` (a forensic
    /// case's reference) is withheld (null) from who may not see that case. Only the answer is
    /// changed: a correction reads and writes the stored record, never this one. Costs nothing
    /// unless a firearm names a case (one query for all of them when one does).
    func disclosed(_ firearms: [Firearm], to principal: Principal) async throws -> [Firearm] {
        let references = Set(firearms.compactMap(\.restorationCase))
        guard !references.isEmpty else { return firearms }
        let shown = try await caseDisclosure.disclosable(references, to: principal)
        return firearms.map { $0.disclosing(shown) }
    }

    func disclosed(_ firearm: Firearm, to principal: Principal) async throws -> Firearm {
        try await disclosed([firearm], to: principal)[0]
    }

    func disclosed(_ firearm: Firearm?, to principal: Principal) async throws -> Firearm? {
        guard let firearm else { return nil }
        return try await disclosed([firearm], to: principal)[0]
    }
}
