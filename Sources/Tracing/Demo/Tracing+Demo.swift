import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP
import IFCStore
import PostgresNIO
import RegistryAPI

extension Tracing {
    /// `ifcd demo seed`: outgoing requests at every status (a draft, sent ones two of them
    /// overdue, acknowledged, answered traced with a short time-to-crime, answered not traced,
    /// closed), a follow-on to an importer, and incoming requests matching the registry's
    /// sample exactly, by confusable characters and by a partial serial. Made through the
    /// module's own transactions, so each has its versions and audit entries; the overdue ones
    /// are back-dated (their deadline passed), which the API itself refuses. Nothing is added
    /// when traces exist already or the registry holds no sample.
    public func seedDemo(_ seed: DemoSeed) async throws -> String? {
        let existing = try await seed.database.withConnection { connection in
            try await connection.query("SELECT count(*) FROM traces", logger: TraceStore.logger).collect().first?.decode(Int.self) ?? 0
        }
        guard existing == 0 else { return nil }
        let principal = seed.principal, requestID = "demo-seed"
        guard let us = Country("US"), let at = Country("AT"), let br = Country("BR"), let jm = Country("JM"), let tt = Country("TT"),
              let gb = Country("GB") else { throw Problem.internal(requestID: requestID) }
        let today = CalendarDate(seed.environment.now())
        func day(_ offset: Int) -> CalendarDate { CalendarDate(seed.environment.now().addingTimeInterval(Double(offset) * 86_400)) }
        func fields(_ addressee: Addressee, _ channel: TraceChannel, make: String, model: String, serial: String, recovered: String,
                    place: String, crime: String, deadline: CalendarDate, parent: UUID? = nil) -> TraceFields {
            TraceFields(addressee: addressee, requestingState: nil, foreignReference: nil, receivedOn: nil, channel: channel,
                        requestingOfficer: "Sgt. A. Williams", requestingAgency: "JCF Firearm Liaison Unit",
                        firearm: FoundFirearm(make: make, model: model, type: .pistol, calibre: "9x19mm", serial: serial, serialPart: .frame,
                                              markingCondition: .legible),
                        circumstances: Circumstances(recoveredOn: CalendarDate(recovered), recoveryPlace: place, recoveryCountry: jm, crimeType: crime),
                        legalBasis: "Firearms (Prohibition, Restriction and Regulation) Act 2022, s. 88",
                        illicitNature: "recovered in a criminal investigation; no lawful record in the national registry",
                        intendedUse: "criminal investigation and prosecution", urgency: .routine, deadline: deadline, confidentiality: .restricted,
                        restrictions: "law enforcement use only", seizureID: nil, caseID: nil, firearmID: nil, parentID: parent)
        }
        /// Inserts a request and walks it through `steps`, each with its version and audit entry.
        func outgoing(_ f: TraceFields, to status: TraceStatus, messages: [(MessageKind, String?, TraceAnswer?)] = []) async throws -> Trace {
            try await seed.database.transaction { connection in
                var trace = try await Self.insert(f, direction: .outgoing, now: seed.environment.now(), by: principal, requestID: requestID,
                                                  on: connection)
                var current = TraceStatus.draft
                while current != status, let next = current.next {
                    for (kind, body, answer) in messages where (kind == .acknowledgement && next == .acknowledged) || (kind == .answer && next == .answered) {
                        _ = try await TraceStore.insertMessage(traceID: trace.id, kind: kind, direction: .received, occurredOn: today, body: body,
                                                               answer: answer, by: principal.username, on: connection)
                    }
                    try await TraceStore.setStatus(id: trace.id, next, by: principal.username, on: connection)
                    trace = try await Self.changed(trace.id, change: next.rawValue, action: "trace.\(next.rawValue)", by: principal,
                                                   requestID: requestID, on: connection)
                    current = next
                }
                return trace
            }
        }
        let atf = Addressee(kind: .state, country: us, name: "ATF National Tracing Center")
        let ack: (MessageKind, String?, TraceAnswer?) = (.acknowledgement, "Request received and registered", nil)
        _ = try await outgoing(fields(Addressee(kind: .manufacturer, country: at, name: "Glock GmbH"), .iarms, make: "Glock", model: "19",
                                      serial: "BKLM512", recovered: "2026-10-02", place: "May Pen", crime: "illegal possession", deadline: day(45)),
                               to: .draft)
        _ = try await outgoing(fields(atf, .etrace, make: "Smith & Wesson", model: "SD9VE", serial: "FWR4471", recovered: "2026-07-14",
                                      place: "Spanish Town", crime: "shooting with intent", deadline: day(-21)), to: .sent)
        _ = try await outgoing(fields(Addressee(kind: .state, country: br, name: nil), .diplomatic, make: "Taurus", model: "G2C",
                                      serial: "TLU88213", recovered: "2026-06-30", place: "Montego Bay", crime: "murder", deadline: day(-5)),
                               to: .acknowledged, messages: [ack])
        _ = try await outgoing(fields(atf, .etrace, make: "Hi-Point", model: "C9", serial: "P1754410", recovered: "2026-09-20",
                                      place: "Kingston", crime: "robbery", deadline: day(20)), to: .sent)
        let tracedAnswer = TraceAnswer(outcome: .traced, transfers: [
            TransferStep(on: CalendarDate(year: 2021, month: 3, day: 2)!, kind: .manufacture, from: nil, to: "Smith & Wesson", country: us),
            TransferStep(on: CalendarDate(year: 2025, month: 11, day: 8)!, kind: .retailSale, from: "Gulf Coast Guns LLC", to: "private purchaser", country: us)],
            lastLawfulHolder: LawfulHolder(name: "private purchaser (straw purchase)", country: us, since: CalendarDate(year: 2025, month: 11, day: 8)!),
            diversionEstablished: true, diversionHow: "the purchaser admitted buying for another; shipped by barrel to Kingston")
        let traced = try await outgoing(fields(atf, .etrace, make: "Smith & Wesson", model: "M&P9 Shield", serial: "JFK0931", recovered: "2026-05-17",
                                               place: "Kingston", crime: "murder", deadline: day(10)),
                                        to: .answered, messages: [ack, (.answer, "Trace completed", tracedAnswer)])
        _ = try await outgoing(fields(Addressee(kind: .importer, country: gb, name: "Sportsman Imports Ltd"), .bilateral, make: "Smith & Wesson",
                                      model: "M&P9 Shield", serial: "JFK0931", recovered: "2026-05-17", place: "Kingston", crime: "murder",
                                      deadline: day(30), parent: traced.id), to: .sent)
        _ = try await outgoing(fields(Addressee(kind: .state, country: at, name: nil), .iarms, make: "Glock", model: "17", serial: "AFG117",
                                      recovered: "2026-04-03", place: "Ocho Rios", crime: "illegal possession", deadline: day(12)),
                               to: .answered, messages: [ack, (.answer, "No record", TraceAnswer(outcome: .notTraced, notTracedReason: .recordTooOld))])
        _ = try await outgoing(fields(atf, .etrace, make: "Ruger", model: "LCP", serial: "371-29914", recovered: "2026-02-11", place: "Portmore",
                                      crime: "robbery", deadline: day(8)),
                               to: .closed, messages: [ack, (.answer, "Trace completed", TraceAnswer(outcome: .traced, transfers: [
                                   TransferStep(on: CalendarDate(year: 2018, month: 5, day: 4)!, kind: .retailSale, from: "Tri-State Arms", to: "J. Smith", country: us)],
                                   lastLawfulHolder: LawfulHolder(name: "J. Smith", country: us, since: CalendarDate(year: 2018, month: 5, day: 4)!),
                                   diversionEstablished: false))])
        // Incoming: the registry sample's dealer stock (DLR…JM) and its loose SIG slide (55B0917).
        var matched = 0
        for (serial, make) in [("DLR101JM", "Glock"), ("DLR1O2JM", "glock"), ("DLR10*", "Glock"), ("SSB0917", "SIG Sauer"), ("DLR1O4JN", "Glock")] {
            let f = TraceFields(addressee: nil, requestingState: tt, foreignReference: "TTPS-FIB-\(serial)", receivedOn: today, channel: .iarms,
                                requestingOfficer: "Insp. R. Mohammed", requestingAgency: "Trinidad and Tobago Police Service",
                                firearm: FoundFirearm(make: make, type: .pistol, calibre: "9x19mm", serial: serial, serialPart: .slide),
                                circumstances: Circumstances(recoveredOn: day(-30), recoveryPlace: "Port of Spain", recoveryCountry: tt, crimeType: "murder"),
                                legalBasis: "Mutual Legal Assistance in Criminal Matters Act", illicitNature: "recovered at a crime scene",
                                intendedUse: "criminal investigation", urgency: .routine, deadline: day(30), confidentiality: .restricted,
                                restrictions: nil, seizureID: nil, caseID: nil, firearmID: nil, parentID: nil)
            matched += try await receive(f, by: principal, requestID: requestID).1.count
        }
        return "8 outgoing traces (2 overdue, 1 follow-on), 5 incoming with \(matched) registry candidates"
    }
}
