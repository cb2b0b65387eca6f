import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO
import RegistryAPI

extension Registry {
    /// `ifcd demo seed`: 60 holders and 303 firearms of common makes (as the reference table of makes and models pairs their models, types and calibres) with plausible serials,
    /// licences (valid, expired, revoked), transfers, thefts, recoveries and destructions, made through the same calls as
    /// the API (so every record has its versions and audit entries). Reproducible: the same
    /// sample every time. Nothing is added when the registry holds firearms already.
    public func seedDemo(_ seed: DemoSeed) async throws -> String? {
        let existing = try await seed.database.withConnection { connection in
            var count = 0
            for try await value in try await connection.query("SELECT count(*) FROM firearms", logger: FirearmStore.logger).decode(Int.self) {
                count = value
            }
            return count
        }
        guard existing == 0 else { return nil }
        let registry = Registry(ModuleContext(database: seed.database, audit: audit, environment: seed.environment), settings: settings)
        var random = DemoRandom(seed: 0x1FCD)
        let first = ["Andre", "Keisha", "Marlon", "Tanya", "Devon", "Shanice", "Omar", "Latoya", "Ricardo", "Nadine", "Kevin", "Simone"]
        let last = ["Campbell", "Brown", "Williams", "Thompson", "Clarke", "Henry", "Reid", "Francis", "Gordon", "Bailey"]
        let companies: [(HolderKind, String)] = [(.dealer, "Caribbean Sporting Arms Ltd"), (.dealer, "Island Gun & Tackle"),
                                                 (.securityCompany, "Guardsman Security Services"), (.securityCompany, "Marksman Protection Ltd"),
                                                 (.stateAgency, "National Police Armoury"), (.dealer, "Northshore Outfitters")]
        // Codes written here, checked once: a typo fails the seed at its first record.
        func country(_ code: String) throws -> Country {
            guard let country = Country(code) else { throw Problem.internal(requestID: "demo-seed") }
            return country
        }
        let jamaica = try country("JM")
        var holders: [UUID] = []
        for (kind, name) in companies {
            holders.append(try await registry.createHolder(NewHolder(kind: kind, name: name, idNumber: "REG-\(random.digits(6))", address: nil,
                                                                     country: jamaica, idDocumentKind: .companyRegistration),
                                                           by: seed.principal, requestID: "demo-seed").id)
        }
        for index in 0..<54 {
            let name = "\(first[index % first.count]) \(last[(index * 7) % last.count])"
            holders.append(try await registry.createHolder(NewHolder(kind: .person, name: name, idNumber: "TRN-\(random.digits(9))",
                                                                     address: "\(random.int(1...199)) \(["Hope Road", "Constant Spring Road", "Main Street", "Market Street"][index % 4])",
                                                                     country: jamaica,
                                                                     dateOfBirth: CalendarDate(year: random.int(1950...2000), month: random.int(1...12),
                                                                                               day: random.int(1...28)),
                                                                     nationality: jamaica, idDocumentKind: .nationalID),
                                                           by: seed.principal, requestID: "demo-seed").id)
        }
        // Makes with the way each marks its serials; their models, types and calibres come from the
        // reference table, so every lawful firearm of the sample matches it (none is flagged).
        let marking: [(make: String, country: String, serial: (inout DemoRandom) -> String)] = [
            ("Glock", "AT", { "\($0.letters(3))\($0.digits(3))" }),
            ("Smith & Wesson", "US", { "\($0.letters(3))\($0.digits(4))" }),
            ("Taurus", "BR", { "T\($0.letters(2))\($0.digits(5))" }),
            ("Beretta", "IT", { "\($0.letters(2))\($0.digits(6))Z" }),
            ("Ruger", "US", { "\($0.digits(3))-\($0.digits(5))" }),
            ("Colt", "US", { "\($0.digits(6))-\($0.letters(2))" }),
            ("SIG Sauer", "DE", { "\($0.letters(2))\($0.digits(6))" }),
            ("Mossberg", "US", { "V\($0.digits(7))" }),
            ("Remington", "US", { "RS\($0.digits(8))" }),
            ("CZ", "CZ", { "\($0.letters(1))\($0.digits(6))" }),
            ("Hi-Point", "US", { "P\($0.digits(7))" }),
            ("Kel-Tec", "US", { "\($0.letters(2))\($0.digits(3))" }),
        ]
        let makes = try marking.map { spec in
            guard let make = registry.settings.makesModels.make(named: spec.make), !make.models.isEmpty else {
                throw Problem.internal(requestID: "demo-seed")
            }
            return (make: make.name, models: make.models, country: spec.country, serial: spec.serial)
        }
        var firearms = 0, events = 0
        var held: [UUID: [UUID]] = [:]  // holder → firearms registered to them
        while firearms < 300 {
            let spec = makes[random.int(0...(makes.count - 1))]
            let year = random.int(1995...2024)
            let imported = spec.country == "JM" ? nil : min(2025, year + random.int(0...3))
            let model = spec.models[random.int(0...(spec.models.count - 1))]
            let description = FirearmDescription(
                make: spec.make, model: model.name, type: model.types[random.int(0...(model.types.count - 1))],
                calibre: model.calibres[random.int(0...(model.calibres.count - 1))], serial: spec.serial(&random),
                countryOfManufacture: try country(spec.country), yearOfManufacture: year, importCountry: imported == nil ? nil : jamaica,
                importYear: imported, importer: imported == nil ? nil : "Caribbean Sporting Arms Ltd")
            let holder = holders[random.int(0...(holders.count - 1))]
            let firearm: Firearm
            do {
                firearm = try await registry.register(description, holderID: holder, by: seed.principal, requestID: "demo-seed")
            } catch let problem as Problem where problem.status == 409 {
                continue  // a generated serial repeated; draw another
            }
            firearms += 1
            held[holder, default: []].append(firearm.id)
            // Licensed the year after import, then sometimes a story.
            // Events in date order, from the year after import, none later than October 2026.
            var when = (year: (imported ?? year) + 1, month: random.int(1...6))
            func date() -> CalendarDate { CalendarDate(year: when.year, month: when.month, day: random.int(1...28)) ?? CalendarDate(Date()) }
            let story: [(EventKind, TransferKind?)] = switch random.int(0...9) {
            case 0: [(.licensed, nil), (.reportedStolen, nil)]
            case 1: [(.licensed, nil), (.reportedStolen, nil), (.recovered, nil)]
            case 2: [(.licensed, nil), (.reportedLost, nil)]
            case 3: [(.seized, nil), (.destroyed, nil)]
            case 4: [(.licensed, nil), (.transferred, .domestic), (.licensed, nil)]
            case 5: [(.surrendered, nil)]
            default: [(.licensed, nil)]
            }
            for (kind, transfer) in story where when.year < 2026 || (when.year == 2026 && when.month <= 10) {
                let counterpart = transfer == .domestic ? holders[random.int(0...(holders.count - 1))] : nil
                _ = try await registry.appendEvent(
                    firearmID: firearm.id, expectedVersion: nil,
                    NewEvent(kind: kind, occurredOn: date(), transferKind: transfer, place: ["Kingston", "Montego Bay", "Spanish Town", "Mandeville"][random.int(0...3)],
                             agency: kind == .licensed ? "Firearm Licensing Authority" : "Jamaica Constabulary Force",
                             documentRef: "DOC-\(random.digits(6))", permitNumber: transfer == nil ? nil : "TP-\(random.digits(5))",
                             counterpartCountry: nil, counterpartHolderID: counterpart, notes: nil),
                    by: seed.principal, requestID: "demo-seed")
                events += 1
                when.month += random.int(1...14)
                while when.month > 12 { when.month -= 12; when.year += 1 }
            }
        }
        // A licence per holder for the firearms registered to them: most valid, some expired,
        // a few revoked.
        var licences = 0
        for (index, holder) in holders.enumerated() {
            guard let covered = held[holder], !covered.isEmpty else { continue }
            let start = random.int(2016...2024)
            let length = random.int(3...5)
            let licence = try await registry.issueLicence(
                NewLicence(holderID: holder, number: String(format: "FLA-%04d-%05d", start, index + 1),
                           kind: index < companies.count ? .dealer : .possession, issuingAuthority: "Firearm Licensing Authority",
                           validFrom: CalendarDate(year: start, month: random.int(1...12), day: 1) ?? CalendarDate(Date()),
                           validUntil: CalendarDate(year: start + length, month: random.int(1...12), day: 28) ?? CalendarDate(Date()),
                           firearmIDs: covered),
                by: seed.principal, requestID: "demo-seed")
            licences += 1
            if random.int(0...14) == 0 {
                _ = try await registry.changeLicence(id: licence.id, expectedVersion: licence.version,
                                                     LicenceChanges(status: .revoked, statusReason: "holder convicted of a firearms offence"),
                                                     by: seed.principal, requestID: "demo-seed")
            }
        }
        // Illicit finds with no lawful record, their serials ground off: recorded by a state marking.
        // The third, unmarked and of unknown make, is the sample's one firearm flagged for review.
        for index in 1...3 {
            let find = try await registry.register(
                FirearmDescription(make: ["Taurus", "Hi-Point", "unknown"][index - 1], type: index == 3 ? .other : .pistol,
                                   calibre: ["9x19mm", ".380 ACP", "12 gauge"][index - 1], serial: nil, markingPart: .frame,
                                   stateMarking: "JM-CF-2025-\(String(format: "%04d", index))", markingCondition: index == 3 ? .unmarked : .obliterated,
                                   recordOrigin: .illicit),
                holderID: nil, by: seed.principal, requestID: "demo-seed")
            _ = try await registry.appendEvent(firearmID: find.id, expectedVersion: nil,
                                               NewEvent(kind: index == 1 ? .found : .seized, occurredOn: CalendarDate(year: 2025, month: index * 2, day: 14)!,
                                                        place: ["Kingston Harbour", "Spanish Town", "Port Antonio"][index - 1],
                                                        agency: "Jamaica Constabulary Force"),
                                               by: seed.principal, requestID: "demo-seed")
            firearms += 1
            events += 1
        }
        // A theft reported against the wrong firearm, then voided: both stay on the record.
        // (The first firearm, in holder order, whose status lets it be reported stolen.)
        var wrongReport: FirearmEvent?
        for candidate in holders.flatMap({ held[$0] ?? [] }) where wrongReport == nil {
            do {
                wrongReport = try await registry.appendEvent(firearmID: candidate, expectedVersion: nil,
                                                             NewEvent(kind: .reportedStolen, occurredOn: CalendarDate(year: 2026, month: 10, day: 30)!),
                                                             by: seed.principal, requestID: "demo-seed").0
            } catch let problem as Problem where problem.status == 409 {
                continue
            }
        }
        if let wrong = wrongReport {
            let firearm = wrong.firearmID
            _ = try await registry.appendEvent(firearmID: firearm, expectedVersion: nil,
                                               NewEvent(kind: .voided, occurredOn: CalendarDate(year: 2026, month: 10, day: 31)!,
                                                        details: EventDetails(voidsEventID: wrong.id, reason: "reported against the wrong serial")),
                                               by: seed.principal, requestID: "demo-seed")
            events += 2
        }
        // A dealer's trade: new stock with marked slides, one sold at home, two exported in one
        // consignment whose delivery Trinidad and Tobago confirmed; and a loose slide reported stolen.
        let dealer = holders[0]
        var stock: [UUID] = []
        for index in 1...3 {
            let firearm = try await registry.register(
                FirearmDescription(make: "Glock", model: "17", type: .pistol, calibre: "9x19mm", serial: "DLR\(100 + index)JM",
                                   countryOfManufacture: try country("AT"), yearOfManufacture: 2025, importCountry: jamaica, importYear: 2026,
                                   importer: "Caribbean Sporting Arms Ltd", category: "B"),
                holderID: dealer, by: seed.principal, requestID: "demo-seed")
            _ = try await registry.recordComponent(NewComponent(part: .slide, make: "Glock", calibre: "9x19mm", serial: "SL\(100 + index)JM"),
                                                   firearmID: firearm.id, by: seed.principal, requestID: "demo-seed")
            stock.append(firearm.id)
            firearms += 1
        }
        _ = try await registry.appendEvent(firearmID: stock[0], expectedVersion: nil,
                                           NewEvent(kind: .transferred, occurredOn: CalendarDate(year: 2026, month: 11, day: 2)!, transferKind: .domestic,
                                                    permitNumber: "TP-55120", counterpartHolderID: holders[6]),
                                           by: seed.principal, requestID: "demo-seed")
        let consignment = try await registry.recordConsignment(
            NewConsignment(direction: .export, shippedOn: CalendarDate(year: 2026, month: 11, day: 5)!, counterpartCountry: try country("TT"),
                           crossBorder: CrossBorder(exportLicence: TransferLicence(number: "JM-EL-2026-0042"),
                                                    importLicence: TransferLicence(number: "TT-IL-2026-0107"), exportingCountry: jamaica,
                                                    importingCountry: try country("TT"), foreignParty: "Port of Spain Sporting Ltd",
                                                    finalRecipient: "Port of Spain Sporting Ltd"),
                           quantity: 2, firearmIDs: Array(stock[1...2])),
            by: seed.principal, requestID: "demo-seed")
        _ = try await registry.verifyDelivery(consignmentID: consignment.id, expectedVersion: consignment.version,
                                              DeliveryVerification(verifiedOn: CalendarDate(year: 2026, month: 11, day: 12)!, document: "TT customs receipt 2026/8812"),
                                              by: seed.principal, requestID: "demo-seed")
        events += 3
        let loose = try await registry.recordComponent(NewComponent(part: .slide, make: "SIG Sauer", calibre: "9x19mm", serial: "55B0917"),
                                                       firearmID: nil, by: seed.principal, requestID: "demo-seed")
        _ = try await registry.appendComponentEvent(componentID: loose.id,
                                                    NewEvent(kind: .reportedStolen, occurredOn: CalendarDate(year: 2026, month: 9, day: 18)!,
                                                             place: "Montego Bay", agency: "Jamaica Constabulary Force"),
                                                    by: seed.principal, requestID: "demo-seed")
        return "\(holders.count) holders, \(firearms) firearms, \(events) events, \(licences) licences"
    }
}

/// A small deterministic generator (SplitMix64), so the demo sample is the same on every machine.
struct DemoRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(int(0...9))) })
    }

    mutating func letters(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
        return String((0..<count).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }
}
