import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import RegistryAPI

/// The JSON body of `POST /v1/cases/{id}/examinations` (a correction's is `Patch<ExaminationFields>`).
struct ExaminationBody: StrictBody {
    var kind: ExaminationKind?
    var method: String?
    var requestedOn: CalendarDate?
    var startedOn: CalendarDate?
    var completedOn: CalendarDate?
    var result: String?
    var afteConclusion: AFTEConclusion?
    var eliminationReason: String?
    var recoveredSerial: String?
    var partExamined: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, method, result
        case requestedOn = "requested_on", startedOn = "started_on", completedOn = "completed_on", afteConclusion = "afte_conclusion"
        case eliminationReason = "elimination_reason", recoveredSerial = "recovered_serial", partExamined = "part_examined"
    }

    /// Upper case, as the registry normalises serials (only once it is known to be letters, digits and `?`).
    private var serial: String? {
        recoveredSerial.map { RecoveredSerial.isValid($0) ? RecoveredSerial.normalized($0) : $0 }
    }

    private func part() throws(Problem) -> MarkingPart? {
        guard let partExamined else { return nil }
        return try Problem.parse(partExamined, as: MarkingPart.self, field: "part_examined")
    }

    func examination() throws(Problem) -> ExaminationFields {
        guard let kind else { throw Problem.invalid("kind", "is required") }
        return ExaminationFields(kind: kind, method: method, requestedOn: requestedOn, startedOn: startedOn, completedOn: completedOn,
                                 result: result, afteConclusion: afteConclusion, eliminationReason: eliminationReason,
                                 recoveredSerial: serial, partExamined: try part())
    }
}

/// The JSON body of `POST /v1/examinations/{id}/verification`.
struct VerificationBody: StrictBody {
    var note: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case note }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.text(note, "note", max: 2000)
        try rules.throwIfAny()
    }
}
