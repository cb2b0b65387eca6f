import ForensicsAPI
import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO

extension Exhibits {
    /// `ifcd demo seed` for the exhibits module, on the cases the forensics sample opened (listed
    /// through the forensics read API): a recovered
    /// revolver with two test-fires, scene cartridge cases and a bullet, ammunition; custody chains
    /// through the lab (a comparison hand-over, re-sealing, a vault, one seal found broken, one
    /// item in transit, one hand-over to court, one destruction); acquisitions; open and decided
    /// leads; and, when a case holds a verified comparison identification, a three-case cluster
    /// linked to the revolver. Nothing is added when exhibits exist or fewer than three cases do.
    public func seedDemo(_ seed: DemoSeed) async throws -> String? {
        let request = "demo-seed"
        let existing = try await seed.database.withConnection { connection in
            try await connection.query("SELECT count(*) FROM exhibits", logger: ExhibitStore.logger).collect().first?.decode(Int.self) ?? 0
        }
        guard existing == 0 else { return nil }
        // The seeding operator reads the sample's cases as the lab staff who work them (cleared to
        // their restricted level): need-to-know holds for the demo's reads too.
        let lab = Principal(userID: nil, username: seed.principal.username, roles: [.examiner], clearance: .restricted)
        // The sample's cases in the order they were opened (their references are issued in order).
        let cases = try await forensics.cases(page: PageRequest(limit: PageRequest.maximumLimit), by: lab, requestID: request)
            .items.sorted { $0.reference < $1.reference }
        var comparison: Examination?
        for owner in cases where comparison == nil {
            comparison = try await forensics.examinations(caseID: owner.id, by: lab, requestID: request).first {
                $0.kind == .comparison && $0.afteConclusion == .identification && $0.verifiedBy != nil
            }
        }
        // The shooting: the case whose comparison is verified, else the first; two others.
        guard cases.count >= 3 else { return nil }
        let shooting = cases.first { $0.id == comparison?.caseID } ?? cases[0]
        let others = cases.filter { $0.id != shooting.id }
        let (scene1, scene2) = (others[0], others[1])
        // Fictional examiners without accounts: their transfers skip the check that a receiver is a user (`recordSending`).
        func person(_ name: String) -> Principal { Principal(userID: nil, username: name, roles: [.examiner], clearance: .restricted) }
        let (a, b, c) = (person("demo.examiner.a"), person("demo.examiner.b"), person("demo.examiner.c"))
        // The vaults' keeper: only an evidence officer takes in an item sent to a location.
        let keeper = Principal(userID: nil, username: "demo.evidence.officer", roles: [.evidenceOfficer], clearance: .restricted)
        let today = self.today
        func after(_ date: CalendarDate, days: Int) -> CalendarDate {
            min(CalendarDate(date.start.addingTimeInterval(Double(days) * 86400)), today)
        }
        var counter = 0
        func exhibit(_ owner: ForensicCase, _ kind: ExhibitKind, _ description: String, calibre: String, seal: String,
                     parent: Exhibit? = nil, derivation: Derivation? = nil, headstamp: String? = nil, lot: String? = nil,
                     rifling: (Int, TwistDirection)? = nil, origin: ManufactureOrigin? = nil, firearmID: UUID? = nil,
                     quantity: Int = 1) async throws -> Exhibit {
            counter += 1
            let fields = ExhibitFields(
                barcode: "DEMO-\(owner.reference)-\(counter)", kind: kind, caseID: owner.id, seizureID: owner.seizureIDs.first,
                parentID: parent?.id, derivation: derivation, description: description, quantity: quantity, calibre: calibre,
                sealNumber: seal, conditionOnReceipt: "sealed evidence bag, seal intact", storageLocation: "Exhibit reception",
                headstamp: headstamp, lot: lot, landsAndGrooves: rifling?.0, twistDirection: rifling?.1, manufactureOrigin: origin,
                firearmID: firearmID, receivedOn: parent.map { after($0.receivedOn, days: 4) } ?? owner.receivedOn)
            return try await createExhibit(fields, by: a, requestID: request)
        }
        func move(_ item: Exhibit, from sender: Principal, to receiver: Party, purpose: String, by taker: Principal,
                  sealIntact: Bool = true, condition: String? = nil) async throws {
            let sent = try await recordSending(exhibitID: item.id, NewTransfer(to: receiver, purpose: purpose, sealNumber: nil, sealIntact: true),
                                      by: sender, requestID: request)
            _ = try await receive(exhibitID: item.id, transferID: sent.id,
                                  NewReceipt(sealIntact: sealIntact, condition: condition, remarks: nil, receiptSHA256: nil, receiptReference: nil),
                                  by: taker, requestID: request)
        }

        // The recovered revolver of the shooting, its registry record when the seizure made one.
        var registryFirearm: UUID?
        if let seizureID = shooting.seizureIDs.first,
           let seizure = try await forensics.seizure(id: seizureID, by: seed.principal, requestID: request) {
            registryFirearm = seizure.firearms.first?.firearmID
        }
        let revolver = try await exhibit(shooting, .firearm, "revolver, serial ground off the frame, five chambers loaded on recovery",
                                         calibre: ".38 Special", seal: "JCF-S-40211", origin: .industrial, firearmID: registryFirearm)
        let testFire1 = try await exhibit(shooting, .cartridgeCase, "test-fired cartridge case 1 of 2", calibre: ".38 Special",
                                          seal: "LAB-TF-0001", parent: revolver, derivation: .testFire, headstamp: "R-P 38 SPL")
        _ = try await exhibit(shooting, .cartridgeCase, "test-fired cartridge case 2 of 2", calibre: ".38 Special", seal: "LAB-TF-0002",
                              parent: revolver, derivation: .testFire, headstamp: "R-P 38 SPL")
        let sceneShooting = try await exhibit(shooting, .cartridgeCase, "fired cartridge case, scene marker 3", calibre: ".38 Special",
                                              seal: "JCF-S-40212", headstamp: "R-P 38 SPL")
        let casing1 = try await exhibit(scene1, .cartridgeCase, "fired cartridge case, scene marker 1", calibre: ".38 Special",
                                        seal: "JCF-S-39877", headstamp: "R-P 38 SPL")
        let bullet1 = try await exhibit(scene1, .bullet, "fired bullet recovered from a door frame", calibre: ".38 Special", seal: "JCF-S-39878",
                                        rifling: (5, .right))
        let casing2 = try await exhibit(scene2, .cartridgeCase, "fired cartridge case found in the container", calibre: ".38 Special",
                                        seal: "PSU-S-1102", headstamp: "R-P 38 SPL")
        let rounds = try await exhibit(scene2, .liveAmmunition, "box of live cartridges", calibre: "9x19mm", seal: "PSU-S-1103",
                                       headstamp: "WIN 9MM LUGER", lot: "WX21-0931", quantity: 50)

        // Custody through the lab.
        try await move(revolver, from: a, to: Party(kind: .user, name: b.username), purpose: "comparison microscopy", by: b)
        _ = try await reseal(exhibitID: revolver.id, sealNumber: "LAB-R-0007", reason: "re-sealed after test-firing", by: b, requestID: request)
        try await move(revolver, from: b, to: Party(kind: .location, name: "Firearms vault 1"), purpose: "storage", by: keeper)
        try await move(casing1, from: a, to: Party(kind: .user, name: b.username), purpose: "comparison microscopy", by: b, sealIntact: false,
                       condition: "bag torn along the seal; contents as described")
        try await move(sceneShooting, from: a, to: Party(kind: .location, name: "Ballistics vault A"), purpose: "storage", by: keeper)
        _ = try await recordSending(exhibitID: bullet1.id, NewTransfer(to: Party(kind: .user, name: c.username), purpose: "bullet comparison",
                                                             sealNumber: nil, sealIntact: true), by: a, requestID: request)
        let court = try await recordSending(exhibitID: casing2.id, NewTransfer(to: Party(kind: .outside, name: "Home Circuit Court, Kingston"),
                                                                      purpose: "trial exhibit", sealNumber: nil, sealIntact: true),
                                   by: a, requestID: request)
        _ = try await receive(exhibitID: casing2.id, transferID: court.id,
                              NewReceipt(sealIntact: true, condition: nil, remarks: "signed for by the court registrar",
                                         receiptSHA256: "3f0a9c2d7b41e6f58a0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708",
                                         receiptReference: "HCC-REC-2026-0114"),
                              by: a, requestID: request)
        // Destroyed by court order, with its certificate, witnessed by two other examiners.
        _ = try await recordDisposition(exhibitID: rounds.id, NewDisposition(kind: .destroyed, authority: "Order of the Resident Magistrate, St Catherine",
                                                                             date: today, remarks: nil, certificateNumber: "DC-2026-0031",
                                                                             certificateStandard: "IFC destruction procedure FA-9.2 (crushing)",
                                                                             witnesses: [b.username, c.username]),
                                        by: a, requestID: request)

        // Imaging, leads and the cluster.
        var acquired = 0
        for (item, system, reference) in [(testFire1, ImagingSystem.ibis, "JM-IBIS-26-0101"), (sceneShooting, .ibis, "JM-IBIS-26-0102"),
                                          (casing1, .ibis, "JM-IBIS-26-0103"), (casing2, .ibis, "JM-IBIS-26-0104"),
                                          (bullet1, .evofinder, "JM-EVO-26-0031")] {
            _ = try await acquire(exhibitID: item.id, NewAcquisition(system: system, network: acquired % 2 == 0 ? .national : .regional,
                                                                     acquiredOn: after(item.receivedOn, days: 2), systemReference: reference),
                                  by: a, requestID: request)
            acquired += 1
        }
        func lead(_ x: Exhibit, _ y: Exhibit, _ reference: String, score: Double) async throws -> Lead {
            try await createLead(NewLead(exhibitA: x.id, exhibitB: y.id, sourceSystem: .ibis, sourceReference: reference, score: score),
                                 by: a, requestID: request)
        }
        let toScene1 = try await lead(testFire1, casing1, "IBIS-CORR-26-5521", score: 412)
        let toScene2 = try await lead(testFire1, casing2, "IBIS-CORR-26-5522", score: 388)
        _ = try await lead(sceneShooting, casing1, "IBIS-CORR-26-5530", score: 301)
        let weak = try await lead(sceneShooting, casing2, "IBIS-CORR-26-5531", score: 97)
        _ = try await decide(leadID: weak.id, .inconclusive, examinationID: nil, note: "insufficient agreement of breech face marks",
                             by: b, requestID: request)
        var hits = 0
        if let comparison {
            for hit in [toScene1, toScene2] {
                _ = try await decide(leadID: hit.id, .identification, examinationID: comparison.id,
                                     note: "identified under the comparison microscope", by: a, requestID: request)
                hits += 1
            }
        }
        return "8 exhibits (2 test-fires), custody chains with 1 broken seal, 1 in transit, 1 at court and 1 destroyed, "
            + "\(acquired) acquisitions, 4 leads (\(hits) hits" + (hits == 2 ? ": a three-case cluster linked to the revolver)" : ")")
    }
}
