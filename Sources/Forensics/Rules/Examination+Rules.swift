import Foundation
import ForensicsAPI
import IFCCore

extension ExaminationFields {
    /// Every rule that needs no database, each failure naming its field.
    func problems(today: CalendarDate) -> [Problem.FieldError] {
        var rules = FieldRules()
        rules.text(method, "method", max: 300)
        rules.text(result, "result", max: 8000)
        rules.text(eliminationReason, "elimination_reason", max: 2000)
        rules.notFuture(requestedOn, "requested_on", today: today)
        rules.notFuture(startedOn, "started_on", today: today)
        rules.notFuture(completedOn, "completed_on", today: today)
        if let completedOn {
            if let startedOn {
                if completedOn < startedOn { rules.add("completed_on", "is before started_on") }
            } else {
                rules.add("started_on", "is required with completed_on")
            }
        }
        if afteConclusion != nil && kind != .comparison {
            rules.add("afte_conclusion", "applies only to a comparison")
        }
        if afteConclusion == .elimination && eliminationReason == nil {
            rules.add("elimination_reason", "is required for an elimination: write out the reason")
        }
        if eliminationReason != nil && afteConclusion != .elimination {
            rules.add("elimination_reason", "applies only to an elimination")
        }
        if kind != .serialNumberRestoration {
            if recoveredSerial != nil { rules.add("recovered_serial", "applies only to a serial number restoration") }
            if partExamined != nil { rules.add("part_examined", "applies only to a serial number restoration") }
        }
        if let recoveredSerial {
            if !RecoveredSerial.isValid(recoveredSerial) {
                rules.add("recovered_serial", "must be 1 to 100 letters, digits and ?, with at least one letter or digit")
            }
        }
        return rules.list
    }
}

/// A serial as restored: the characters read, `?` for each position that could not be.
enum RecoveredSerial {
    static let pattern = "^[A-Za-z0-9?]*[A-Za-z0-9][A-Za-z0-9?]*$"

    static func isValid(_ text: String) -> Bool {
        text.unicodeScalars.count <= 100 && text.range(of: pattern, options: .regularExpression) != nil
    }

    /// Stored in upper case, as the registry normalises serials.
    static func normalized(_ text: String) -> String { text.uppercased() }
}
