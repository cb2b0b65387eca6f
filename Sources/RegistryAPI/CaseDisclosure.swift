import Foundation
import IFCCore

/// Which forensic case references a reader may be shown. A registry firearm whose marking a
/// forensic examination restored names the case (`restoration_case`); the case follows the
/// need-to-know rule, so its reference is shown only to who may see the case (issue 24). The
/// forensics module answers it (the registry cannot import forensics); the server hands it to the
/// registry when both are built.
public protocol CaseDisclosing: Sendable {
    /// Among `references`, those `principal` may be shown: those naming no case of this node (a
    /// reference typed from another laboratory's paper), and those naming a case `principal` may
    /// see. A check, not a read: nothing else of the cases is answered.
    func disclosable(_ references: Set<String>, to principal: Principal) async throws -> Set<String>
}

extension Firearm {
    /// The firearm with `restoration_case` withheld (null) unless it is among `disclosable`.
    public func disclosing(_ disclosable: Set<String>) -> Firearm {
        guard let reference = restorationCase, !disclosable.contains(reference) else { return self }
        var copy = self
        copy.restorationCase = nil
        return copy
    }
}
