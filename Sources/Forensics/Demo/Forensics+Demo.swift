import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import IFCStore
import RegistryAPI

/// `ifcd demo seed` for the forensics module: a port seizure and an inland one, cases at each
/// stage (received; under examination with a verified identification; reported, with a serial
/// restored to the registry record it was ground off, an issued report and its amendment).
/// Everything goes through the module's audited services, as a clerk and three examiners.
extension Forensics {
    public func seedDemo(_ seed: DemoSeed) async throws -> String? {
        let existing = try await seed.database.withConnection { connection in
            var count = 0
            for try await value in try await connection.query("SELECT count(*) FROM seizures", logger: SeizureStore.logger).decode(Int.self) {
                count = value
            }
            return count
        }
        guard existing == 0 else { return nil }
        let request = "demo-seed"
        // The sample's staff are cleared to the restricted cases it opens.
        func person(_ name: String, _ role: Role) -> Principal { Principal(userID: nil, username: name, roles: [role], clearance: .restricted) }
        let clerk = person("demo.clerk", .clerk)
        let (examinerA, examinerB, examinerC) = (person("demo.examiner.a", .examiner), person("demo.examiner.b", .examiner),
                                                 person("demo.examiner.c", .examiner))
        func day(_ month: Int, _ day: Int) throws -> CalendarDate {
            guard let date = CalendarDate(year: 2026, month: month, day: day) else { throw Problem.internal(requestID: request) }
            return date
        }
        guard let jamaica = Country("JM") else { throw Problem.internal(requestID: request) }
        // The laboratory manager's record: each examiner authorised for every kind of examination.
        let manager = person("demo.lab.manager", .labManager)
        let authorisedFrom = try day(1, 5)
        try await database.transaction { connection in
            for examiner in [examinerA, examinerB, examinerC] {
                for kind in ExaminationKind.allCases {
                    let granted = try await AuthorisationStore.insert(userID: nil, username: examiner.username, kind: kind, validFrom: authorisedFrom,
                                                                      validUntil: nil, basis: "competence assessed; proficiency test passed",
                                                                      by: manager.username, on: connection)
                    try await AuthorisationStore.history.append(granted, id: granted.id, version: 1, change: "granted", by: manager,
                                                                on: connection)
                }
            }
        }

        // A port seizure: a pistol with its serial ground off, spare slides and ammunition in a container.
        let port = try await createSeizure(NewSeizure(
            fields: SeizureFields(agency: "Jamaica Constabulary Force, Port Security Unit", officer: "Det. Cpl. Brown", seizedOn: try day(10, 12),
                                  country: jamaica, region: "Kingston", place: "Kingston Container Terminal, berth 4", latitude: 17.97,
                                  longitude: -76.85, context: .port, concealment: "inside a refrigerator in a shipping container",
                                  persons: [SeizedPerson(role: .consignee, nationality: jamaica), SeizedPerson(role: .consignor, nationality: nil)],
                                  parts: [SeizedPart(kind: .slide, quantity: 3, marking: "none visible")],
                                  ammunition: [SeizedAmmunition(calibre: "9x19mm", quantity: 500, headstamp: "WIN 9MM LUGER")], notes: nil),
            firearms: [.illicitFind(FirearmDescription(make: "Glock", model: "17", type: .pistol, calibre: "9x19mm", serial: nil,
                                                       markingPart: .frame, stateMarking: "JM-CF-2026-0101", markingCondition: .obliterated))]),
            by: clerk, requestID: request)
        // An inland seizure after a shooting: a revolver and the cartridges in it.
        let inland = try await createSeizure(NewSeizure(
            fields: SeizureFields(agency: "Jamaica Constabulary Force, St Catherine North", officer: "Sgt. Henry", seizedOn: try day(10, 20),
                                  country: jamaica, region: "St Catherine", place: "Spanish Town, Featherbed Lane", latitude: nil, longitude: nil,
                                  context: .inland, concealment: "under a floorboard", persons: [SeizedPerson(role: .suspect, nationality: jamaica)],
                                  parts: [], ammunition: [SeizedAmmunition(calibre: ".38 Special", quantity: 5, headstamp: "R-P 38 SPL")],
                                  notes: nil),
            firearms: [.illicitFind(FirearmDescription(make: "Smith & Wesson", model: "Model 10", type: .revolver, calibre: ".38 Special",
                                                       serial: nil, markingPart: .frame, stateMarking: "JM-CF-2026-0102",
                                                       markingCondition: .obliterated))]),
            by: clerk, requestID: request)

        func open(_ seizure: Seizure, offence: String, number: String, received: CalendarDate, requested: [ExaminationKind]) async throws -> ForensicCase {
            try await createCase(CaseFields(submittingAgency: seizure.agency, officer: seizure.officer, agencyCaseNumber: number, offence: offence,
                                            incidentOn: seizure.seizedOn, incidentCountry: seizure.country, incidentPlace: seizure.place,
                                            receivedOn: received, confidentiality: .restricted, requestedExaminations: requested,
                                            seizureIDs: [seizure.id], notes: nil),
                                 by: examinerA, requestID: request)
        }
        func examine(_ owner: ForensicCase, _ fields: ExaminationFields, by examiner: Principal) async throws -> Examination {
            try await createExamination(caseID: owner.id, fields, by: examiner, requestID: request)
        }
        func move(_ owner: ForensicCase, to status: CaseStatus, by examiner: Principal = examinerA) async throws -> ForensicCase {
            try await changeCase(id: owner.id, expectedVersion: owner.version, { var r = $0; r.status = status; return r }, by: examiner, requestID: request)
        }
        func reviewAndIssue(_ owner: ForensicCase, replaces: Int? = nil, reason: String? = nil) async throws {
            let draft = try await reportDraft(caseID: owner.id, by: examinerA, requestID: request)
            _ = try await reviewReport(caseID: owner.id, kind: .technical, outcome: .approved, contentSHA256: draft.contentSHA256, note: nil,
                                       by: examinerB, requestID: request)
            _ = try await reviewReport(caseID: owner.id, kind: .administrative, outcome: .approved, contentSHA256: draft.contentSHA256,
                                       note: nil, by: examinerC, requestID: request)
            _ = try await issueReport(caseID: owner.id, contentSHA256: draft.contentSHA256, replaces: replaces, amendmentReason: reason,
                                      by: examinerA, requestID: request)
        }

        // Received, not yet started.
        _ = try await open(inland, offence: "illegal possession of a firearm", number: "SCN-2026-0415", received: try day(11, 20),
                           requested: [.operability])

        // Under examination: test-fired cartridge cases identified to the revolver, verified by a second examiner.
        var shooting = try await open(inland, offence: "shooting with intent", number: "SCN-2026-0398", received: try day(10, 22),
                                      requested: [.comparison, .operability])
        shooting = try await move(shooting, to: .underExamination)
        let comparison = try await examine(shooting, ExaminationFields(
            kind: .comparison, method: "comparison microscope, lab manual FA-5.1", requestedOn: try day(10, 22), startedOn: try day(10, 26),
            completedOn: try day(10, 28), result: "the two cartridge cases from the scene were fired in the submitted revolver",
            afteConclusion: .identification), by: examinerA)
        _ = try await verifyExamination(id: comparison.id, note: "agreement of breech face and firing pin marks confirmed", by: examinerB,
                                        requestID: request)
        _ = try await examine(shooting, ExaminationFields(kind: .operability, method: "function test, lab manual FA-2.3",
                                                          requestedOn: try day(10, 22), startedOn: try day(11, 2)), by: examinerA)

        // Reported: the port pistol's serial restored, searched in the registry, its record found;
        // the report issued, then amended when the submitter corrected the offence.
        var trafficking = try await open(port, offence: "importation of firearms without a licence", number: "PSU-2026-0077",
                                         received: try day(10, 14), requested: [.serialNumberRestoration, .operability])
        trafficking = try await move(trafficking, to: .underExamination)
        let restoration = try await examine(trafficking, ExaminationFields(
            kind: .serialNumberRestoration, method: "magnetic particle, then Fry's reagent etching", requestedOn: try day(10, 14),
            startedOn: try day(10, 16), completedOn: try day(10, 19),
            result: "seven of eight characters recovered from the frame; the sixth is not legible", recoveredSerial: "DLR10?JM",
            partExamined: .frame), by: examinerA)
        let searched = try await searchRegistry(examinationID: restoration.id, by: examinerA, requestID: request)
        var restored = 0
        if let candidate = searched.candidates?.first(where: { $0.serial == "DLR101JM" }) ?? searched.candidates?.first {
            _ = try await confirmCandidate(examinationID: restoration.id, firearmID: candidate.firearmID, by: examinerA, requestID: request)
            restored = 1
        }
        _ = try await examine(trafficking, ExaminationFields(kind: .operability, method: "function test, lab manual FA-2.3",
                                                             requestedOn: try day(10, 14), startedOn: try day(10, 20), completedOn: try day(10, 20),
                                                             result: "functions as designed; fires in semi-automatic mode only"), by: examinerA)
        try await reviewAndIssue(trafficking)
        let traffickingID = trafficking.id
        guard let reported = try await database.withConnection({ try await CaseStore.find(id: traffickingID, as: .module, on: $0)?.record }) else {
            throw Problem.internal(requestID: request)
        }
        let offence = "importation of firearms and ammunition without a licence (Firearms Act s. 4)"
        _ = try await changeCase(id: reported.id, expectedVersion: reported.version, { var r = $0; r.fields.offence = offence; return r },
                                 by: examinerA, requestID: request)
        try await reviewAndIssue(trafficking, replaces: 1, reason: "the submitter corrected the offence to include the ammunition")
        return "2 seizures, 3 cases, 5 examinations, \(restored) restored serial found in the registry, 1 report issued and amended"
    }
}
