import Foundation
import ExhibitsAPI
import IFCCore

/// What a lead may link: two exhibits of one class (two cartridge cases; two bullets or
/// fragments), never one with itself, and from different cases (different events).
enum LeadRules {
    enum Class { case cartridgeCase, bullet }

    static func comparisonClass(_ kind: ExhibitKind) -> Class? {
        switch kind {
        case .cartridgeCase: .cartridgeCase
        case .bullet, .bulletFragment: .bullet
        default: nil
        }
    }

    static func problems(a: (id: UUID, kind: ExhibitKind, caseID: UUID), b: (id: UUID, kind: ExhibitKind, caseID: UUID)) -> [Problem.FieldError] {
        var checks = FieldRules()
        if a.id == b.id { checks.add("exhibit_b", "is exhibit_a: a lead links two exhibits") }
        let classA = comparisonClass(a.kind), classB = comparisonClass(b.kind)
        if classA == nil { checks.add("exhibit_a", "is a \(a.kind.rawValue): a lead links two cartridge cases or two bullets") }
        if classB == nil { checks.add("exhibit_b", "is a \(b.kind.rawValue): a lead links two cartridge cases or two bullets") }
        if let classA, let classB, classA != classB {
            checks.add("exhibit_b", "is a \(b.kind.rawValue) and exhibit_a a \(a.kind.rawValue): a lead links two of one kind")
        }
        if a.id != b.id && a.caseID == b.caseID { checks.add("exhibit_b", "is of the same case (the same event) as exhibit_a") }
        return checks.list
    }
}
