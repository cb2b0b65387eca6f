import Foundation
import IFCCore
import RegistryAPI

/// How a registry candidate scores against the firearm an incoming request describes: the
/// serial match first (exact 70, confusable 60, pattern 50, one edit 45, two edits 35), then
/// make (+20, any case) and type (+10). The reasons say each part.
enum MatchScore {
    static func score(_ match: SearchMatch, firearm: Firearm?, wanted: FoundFirearm) -> (Int, [String]) {
        var score: Int
        var reasons: [String]
        let serial = match.serialNormalized ?? "?"
        switch match.match {
        case "exact": (score, reasons) = (70, ["serial \(serial) is the one requested"])
        case "confusable": (score, reasons) = (60, ["serial \(serial) equals the one requested once O/0, I/1/L, S/5, B/8, Z/2 are read alike"])
        case "pattern": (score, reasons) = (50, ["serial \(serial) fits the partial serial requested"])
        default:
            let d = match.distance ?? 2
            (score, reasons) = (d <= 1 ? 45 : 35, ["serial \(serial) is \(d) edit\(d == 1 ? "" : "s") from the one requested (misread, missing, extra or transposed characters)"])
        }
        if match.componentID != nil { reasons.append("matched on the \(match.part)'s own serial (\(match.reference))") }
        if let make = wanted.make, let firearm {
            if firearm.make.lowercased() == make.lowercased() { score += 20; reasons.append("make \(firearm.make) matches") }
            else { reasons.append("make differs: \(firearm.make)") }
        }
        if let type = wanted.type, let firearm {
            if firearm.type == type { score += 10; reasons.append("type \(type.rawValue) matches") }
            else { reasons.append("type differs: \(firearm.type.rawValue)") }
        }
        return (min(score, 100), reasons)
    }
}

/// The answer to a tracing request as the registry's history gives it: the chain of lawful
/// transfers (manufacture or import, licences, transfers, exports), the last lawful holder
/// (before the firearm was reported lost or stolen, seized or found), whether and how the
/// point of diversion shows in the record, and the record's status. The liaison officer
/// reviews it before it is sent.
enum AnswerAssembly {
    static let diversionKinds: Set<EventKind> = [.reportedLost, .reportedStolen, .seized, .found, .confiscated]

    static func answer(from history: FirearmHistory, nodeCountry: Country?) -> TraceAnswer {
        let firearm = history.firearm
        let events = history.events.filter { $0.voidedBy == nil && $0.kind != .voided }
        let home = nodeCountry ?? firearm.importCountry ?? firearm.countryOfManufacture
        func name(_ id: UUID?) -> String? { id.flatMap { history.holders[$0]?.name } }
        func country(_ id: UUID?) -> Country? { id.flatMap { history.holders[$0]?.country } }
        var steps: [TransferStep] = []
        var lastHolder: (UUID, CalendarDate)?
        var diversion: FirearmEvent?
        for event in events {
            if diversion == nil, diversionKinds.contains(event.kind) { diversion = event; continue }
            if diversion != nil { continue }
            let to = event.counterpartHolderID
            switch event.kind {
            case .manufactured:
                if let c = firearm.countryOfManufacture ?? home {
                    steps.append(TransferStep(on: event.occurredOn, kind: .manufacture, from: nil, to: firearm.manufacturer ?? firearm.make, country: c))
                }
            case .imported:
                if let c = home {
                    steps.append(TransferStep(on: event.occurredOn, kind: .import, from: event.counterpartCountry.map { "from \($0.code)" },
                                              to: name(to) ?? firearm.importer, country: c))
                }
                if let to { lastHolder = (to, event.occurredOn) }
            case .licensed, .registered:
                if let holder = to ?? (event.kind == .registered ? nil : firearm.holderID), let c = country(holder) ?? home {
                    steps.append(TransferStep(on: event.occurredOn, kind: .licence, from: nil, to: name(holder), country: c))
                    lastHolder = (holder, event.occurredOn)
                }
            case .transferred:
                let fromKind = event.fromHolderID.flatMap { history.holders[$0]?.kind }
                let toKind = to.flatMap { history.holders[$0]?.kind }
                let kind: TransferStepKind = switch event.transferKind {
                case .export: .export
                case .import: .import
                default: (fromKind == .dealer && toKind == .person) ? .retailSale : .transfer
                }
                if let c = event.counterpartCountry ?? country(to) ?? home {
                    steps.append(TransferStep(on: event.occurredOn, kind: kind, from: name(event.fromHolderID), to: name(to), country: c))
                }
                if let to { lastHolder = (to, event.occurredOn) }
            default:
                break
            }
        }
        if lastHolder == nil, let holder = firearm.holderID { lastHolder = (holder, events.first?.occurredOn ?? CalendarDate(firearm.createdAt)) }
        let holder = lastHolder.flatMap { id, since in
            history.holders[id].map { LawfulHolder(name: $0.name, country: $0.country, since: since) }
        }
        guard !steps.isEmpty || holder != nil else {
            return TraceAnswer(outcome: .notTraced, notTracedReason: .noRecord, registryStatus: firearm.status.rawValue)
        }
        let how = diversion.map { "the registry records the firearm \($0.kind.rawValue.replacingOccurrences(of: "_", with: " ")) on \($0.occurredOn.text)" }
        return TraceAnswer(outcome: .traced, transfers: steps, lastLawfulHolder: holder, diversionEstablished: diversion != nil,
                           diversionHow: how, registryStatus: firearm.status.rawValue)
    }
}
