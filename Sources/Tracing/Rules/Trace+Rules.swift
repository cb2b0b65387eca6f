import Foundation
import IFCCore
import RegistryAPI

enum TraceLimits {
    static let photos = 20
    static let associates = 20
    static let transfers = 50
    static let bulk = 50
}

extension TraceStatus {
    /// The statuses a request may move to, in order; nothing follows closure.
    var next: TraceStatus? {
        switch self {
        case .draft: .sent
        case .sent: .acknowledged
        case .acknowledged: .answered
        case .answered: .closed
        case .closed: nil
        }
    }
}

extension FoundFirearm {
    func problems(_ prefix: String, into rules: inout FieldRules) {
        rules.text(make, "\(prefix).make", max: 100)
        rules.text(model, "\(prefix).model", max: 100)
        rules.text(calibre, "\(prefix).calibre", max: 50)
        rules.text(serial, "\(prefix).serial", max: 100)
        rules.text(importMarkings, "\(prefix).import_markings", max: 300)
        rules.text(otherMarkings, "\(prefix).other_markings", max: 1000)
        rules.text(description, "\(prefix).description", max: 2000)
        if let serial, !serial.isBlank, Serial.normalize(serial) == nil, importMarkings == nil, otherMarkings == nil {
            rules.add("\(prefix).serial", "has no letter or digit, and no other marking is given")
        }
        if photoReferences.count > TraceLimits.photos { rules.add("\(prefix).photo_references", "must list at most \(TraceLimits.photos)") }
        for (i, photo) in photoReferences.enumerated() { rules.text(photo, "\(prefix).photo_references[\(i)]", max: 200) }
    }

    /// The serial as the registry compares it; with wildcards kept (`?`, `*`), for matching.
    var serialNormalized: String? { serial.flatMap(Serial.normalize) }
    var serialPattern: String? { serial.flatMap { Serial.Pattern($0)?.normalized } }
}

extension NamedPerson {
    func problems(_ prefix: String, today: CalendarDate, into rules: inout FieldRules) {
        rules.text(name, "\(prefix).name", max: 200)
        rules.text(idNumber, "\(prefix).id_number", max: 100)
        if let dateOfBirth, dateOfBirth > today { rules.add("\(prefix).date_of_birth", "is in the future") }
    }
}

extension TraceFields {
    /// Every rule that needs no database, each failure naming its field. With `checkDeadline`
    /// (a new or changed deadline of ours), the deadline must not be before today.
    func problems(today: CalendarDate, checkDeadline: Bool) -> [Problem.FieldError] {
        var rules = FieldRules()
        if let addressee {
            rules.text(addressee.name, "addressee.name", max: 200)
            if addressee.kind != .state && addressee.name == nil { rules.add("addressee.name", "is required for a \(addressee.kind.rawValue)") }
        }
        rules.text(foreignReference, "foreign_reference", max: 100)
        rules.text(requestingOfficer, "requesting_officer", max: 200)
        rules.text(requestingAgency, "requesting_agency", max: 200)
        firearm?.problems("firearm", into: &rules)
        if let circumstances {
            rules.text(circumstances.recoveryPlace, "circumstances.recovery_place", max: 300)
            rules.text(circumstances.crimeType, "circumstances.crime_type", max: 200)
            if let on = circumstances.recoveredOn, on > today { rules.add("circumstances.recovered_on", "is in the future") }
            circumstances.possessor?.problems("circumstances.possessor", today: today, into: &rules)
            if circumstances.associates.count > TraceLimits.associates {
                rules.add("circumstances.associates", "must list at most \(TraceLimits.associates)")
            }
            for (i, person) in circumstances.associates.enumerated() { person.problems("circumstances.associates[\(i)]", today: today, into: &rules) }
        }
        rules.text(legalBasis, "legal_basis", max: 2000)
        rules.text(illicitNature, "illicit_nature", max: 2000)
        rules.text(intendedUse, "intended_use", max: 2000)
        rules.text(restrictions, "restrictions", max: 2000)
        if checkDeadline, let deadline, deadline < today { rules.add("deadline", "is in the past") }
        if let receivedOn, receivedOn > today { rules.add("received_on", "is in the future") }
        return rules.list
    }

    /// The ITI's minimum content (section V, para 17) an outgoing request must carry to be
    /// sent: who asks, the firearm's identification (markings, type, calibre), the
    /// circumstances, the legal justification and illicit nature, the intended use, and the
    /// deadline. Each missing field named.
    var missingForSend: [Problem.FieldError] {
        var rules = FieldRules()
        rules.required(addressee, "addressee")
        rules.required(requestingOfficer, "requesting_officer")
        rules.required(requestingAgency, "requesting_agency")
        if let firearm {
            rules.required(firearm.make, "firearm.make")
            rules.required(firearm.type, "firearm.type")
            rules.required(firearm.calibre, "firearm.calibre")
            if firearm.serial == nil && firearm.otherMarkings == nil && firearm.importMarkings == nil {
                rules.add("firearm.serial", "is required (or the other or import markings when the serial is unreadable)")
            }
        } else {
            rules.add("firearm", "is required")
        }
        if let circumstances {
            rules.required(circumstances.recoveredOn, "circumstances.recovered_on")
            rules.required(circumstances.recoveryCountry, "circumstances.recovery_country")
        } else {
            rules.add("circumstances", "is required")
        }
        rules.required(legalBasis, "legal_basis")
        rules.required(illicitNature, "illicit_nature")
        rules.required(intendedUse, "intended_use")
        rules.required(deadline, "deadline")
        return rules.list
    }
}

extension TraceAnswer {
    /// Does the answer name holders: the last lawful holder, or a party to a sale, transfer or
    /// licence (a manufacturer or importer is not a holder)? The table asks the same
    /// (`trace_answer_names_holders`, migration 0034).
    var namesHolders: Bool {
        lastLawfulHolder != nil
            || transfers.contains { ![.manufacture, .import].contains($0.kind) && ($0.to != nil || $0.from != nil) }
    }

    /// An answer's content must fit its outcome.
    func problems(_ prefix: String, today: CalendarDate) -> [Problem.FieldError] {
        var rules = FieldRules()
        rules.text(reason, "\(prefix).reason", max: 2000)
        rules.text(diversionHow, "\(prefix).diversion_how", max: 2000)
        rules.text(registryStatus, "\(prefix).registry_status", max: 50)
        if outcome == .notTraced { rules.required(notTracedReason, "\(prefix).not_traced_reason") }
        else if notTracedReason != nil { rules.add("\(prefix).not_traced_reason", "is given only when not traced") }
        if outcome == .delayed || outcome == .restricted { rules.required(reason, "\(prefix).reason") }
        if outcome == .traced {
            if transfers.isEmpty { rules.add("\(prefix).transfers", "must list the chain of lawful transfers") }
            rules.required(lastLawfulHolder, "\(prefix).last_lawful_holder")
            rules.required(diversionEstablished, "\(prefix).diversion_established")
            if diversionEstablished == true { rules.required(diversionHow, "\(prefix).diversion_how") }
        }
        if transfers.count > TraceLimits.transfers { rules.add("\(prefix).transfers", "must list at most \(TraceLimits.transfers)") }
        for (i, step) in transfers.enumerated() {
            rules.text(step.from, "\(prefix).transfers[\(i)].from", max: 200)
            rules.text(step.to, "\(prefix).transfers[\(i)].to", max: 200)
            if step.on > today { rules.add("\(prefix).transfers[\(i)].on", "is in the future") }
        }
        if let holder = lastLawfulHolder {
            rules.text(holder.name, "\(prefix).last_lawful_holder.name", max: 200)
            if let since = holder.since, since > today { rules.add("\(prefix).last_lawful_holder.since", "is in the future") }
        }
        return rules.list
    }

    /// Time-to-crime: days from the first retail sale in the chain to the recovery, and days
    /// since the last lawful import; flagged under `thresholdYears` and under one year. Only dates
    /// on or before the recovery count (an answer with a sale or import after it is refused when
    /// recorded: `transfersAfterRecovery`). Without a recovery date, or without a sale or import
    /// before it, the figures are null and `unavailable` says why; nil for an answer that traced
    /// nothing.
    public func timeToCrime(recoveredOn: CalendarDate?, thresholdYears: Int) -> TimeToCrime? {
        guard outcome == .traced || outcome == .restricted, !transfers.isEmpty else { return nil }
        guard let recoveredOn else {
            return .unavailable("the request gives no recovery date (circumstances.recovered_on)", thresholdYears: thresholdYears)
        }
        let sale = transfers.filter { $0.kind == .retailSale && $0.on <= recoveredOn }.map(\.on).min()
        let imported = transfers.filter { $0.kind == .import && $0.on <= recoveredOn }.map(\.on).max()
        guard sale != nil || imported != nil else {
            return .unavailable("the answer gives no retail sale or import before the recovery", thresholdYears: thresholdYears)
        }
        let days = sale.map { CalendarDate.days(from: $0, to: recoveredOn) }
        return TimeToCrime(daysFromFirstRetailSale: days, daysSinceLastLawfulImport: imported.map { CalendarDate.days(from: $0, to: recoveredOn) },
                           thresholdYears: thresholdYears,
                           underThreshold: sale.map { $0.adding(years: thresholdYears) > recoveredOn } ?? false,
                           underOneYear: sale.map { $0.adding(years: 1) > recoveredOn } ?? false)
    }

    /// The retail sales and imports of the chain dated after the recovery, with their index: a
    /// firearm is not sold or imported once recovered, so such an answer is refused (409) rather
    /// than counted as a negative time-to-crime.
    func transfersAfterRecovery(_ recoveredOn: CalendarDate?) -> [(index: Int, step: TransferStep)] {
        guard let recoveredOn else { return [] }
        return transfers.enumerated().filter { ($0.element.kind == .retailSale || $0.element.kind == .import) && $0.element.on > recoveredOn }
            .map { (index: $0.offset, step: $0.element) }
    }
}

extension CalendarDate {
    /// Whole days from `a` to `b` (negative when `b` is earlier).
    static func days(from a: CalendarDate, to b: CalendarDate) -> Int {
        Int((b.start.timeIntervalSince(a.start) / 86_400).rounded())
    }
}
