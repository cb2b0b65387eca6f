import Crypto
import Foundation
import ForensicsAPI
import IFCCore
import RegistryAPI

extension ReportContent {
    /// The report of `owner` from its records as they stand. `firearms` are the registry records
    /// of the seizures' firearms (read through the registry's API beforehand); a firearm missing
    /// from it is described by its reference alone.
    static func assemble(laboratory: String, case owner: ForensicCase, seizures: [Seizure], firearms: [UUID: Firearm],
                         exhibits: [ReportExhibit] = [], examinations: [Examination], links: [CaseLink]) -> ReportContent {
        var items: [Item] = []
        for seizure in seizures {
            for seized in seizure.firearms {
                let description = firearms[seized.firearmID].map { firearm in
                    [firearm.make, firearm.model, firearm.type.rawValue.replacingOccurrences(of: "_", with: " "), firearm.calibre,
                     firearm.serial.map { "serial \($0)" } ?? "no serial"].compactMap { $0 }.joined(separator: ", ")
                } ?? "firearm"
                items.append(Item(seizure: seizure.reference, kind: "firearm", description: description, quantity: 1,
                                  registryReference: seized.firearmReference, conditionOnReceipt: nil))
            }
            for part in seizure.parts {
                let description = [part.kind.rawValue.replacingOccurrences(of: "_", with: " "), part.description,
                                   part.marking.map { "marked \($0)" }].compactMap { $0 }.joined(separator: ", ")
                items.append(Item(seizure: seizure.reference, kind: "part", description: description, quantity: part.quantity,
                                  registryReference: nil, conditionOnReceipt: nil))
            }
            for round in seizure.ammunition {
                let description = [round.calibre, round.headstamp.map { "headstamp \($0)" }].compactMap { $0 }.joined(separator: ", ")
                items.append(Item(seizure: seizure.reference, kind: "ammunition", description: description, quantity: round.quantity,
                                  registryReference: nil, conditionOnReceipt: nil))
            }
        }
        let summaries = examinations.map { e in
            ExaminationSummary(id: e.id, kind: e.kind, method: e.method, examiner: e.examiner, requestedOn: e.requestedOn,
                               startedOn: e.startedOn, completedOn: e.completedOn, result: e.result, afteConclusion: e.afteConclusion,
                               eliminationReason: e.eliminationReason, verifiedBy: e.verifiedBy, recoveredSerial: e.recoveredSerial,
                               partExamined: e.partExamined,
                               confirmedFirearm: e.confirmedFirearmID.flatMap { id in e.candidates?.first { $0.firearmID == id }?.reference })
        }
        return ReportContent(
            laboratory: laboratory, caseReference: owner.reference,
            submitter: Submitter(agency: owner.submittingAgency, officer: owner.officer, agencyCaseNumber: owner.agencyCaseNumber),
            offence: owner.offence, incidentOn: owner.incidentOn, incidentCountry: owner.incidentCountry, incidentPlace: owner.incidentPlace,
            receivedOn: owner.receivedOn, confidentiality: owner.confidentiality, requestedExaminations: owner.requestedExaminations,
            seizures: seizures.map { SeizureSummary(reference: $0.reference, agency: $0.agency, seizedOn: $0.seizedOn, country: $0.country,
                                                    place: $0.place, context: $0.context) },
            items: items, exhibits: exhibits, examinations: summaries,
            examinedFrom: examinations.compactMap(\.startedOn).min(), examinedTo: examinations.compactMap(\.completedOn).max(),
            links: links.map { LinkSummary(kind: $0.kind, reference: $0.targetReference, reason: $0.reason) },
            statement: Self.itemsStatement)
    }

    /// SHA-256 (hex) of the canonical JSON: what a reviewer approves and an issue freezes.
    func digest() throws -> String {
        ReportDigest.hex(try JSONCoding.encoder.encode(self))
    }
}

enum ReportDigest {
    static func hex(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// RFC 9530 `Repr-Digest` value for a stored form.
    static func header(_ text: String) -> String {
        "sha-256=:\(Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()):"
    }
}
