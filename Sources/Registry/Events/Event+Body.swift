import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

/// The JSON body of `POST /v1/firearms/{id}/events`.
struct EventBody: StrictBody {
    var kind: String
    var occurredOn: CalendarDate
    var transferKind: String?
    var place: String?
    var agency: String?
    var documentRef: String?
    var permitNumber: String?
    var counterpartCountry: Country?
    var counterpartHolderID: UUID?
    var notes: String?
    var voidsEventID: UUID?
    var reason: String?
    var historical: Bool?
    var sourceDocument: String?
    var authority: String?
    var certificateNumber: String?
    var certificateStandard: String?
    var conversion: String?
    var categoryAfter: String?
    var crossBorder: CrossBorder?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, place, agency, notes
        case occurredOn = "occurred_on", transferKind = "transfer_kind", documentRef = "document_ref"
        case permitNumber = "permit_number", counterpartCountry = "counterpart_country", counterpartHolderID = "counterpart_holder_id"
        case reason, historical, authority, conversion
        case voidsEventID = "voids_event_id", sourceDocument = "source_document", certificateNumber = "certificate_number"
        case certificateStandard = "certificate_standard", categoryAfter = "category_after", crossBorder = "cross_border"
    }

    func event() throws(Problem) -> NewEvent {
        let kind = try Problem.parse(kind, as: EventKind.self, field: "kind")
        let transfer = try transferKind.map { (raw: String) throws(Problem) in try Problem.parse(raw, as: TransferKind.self, field: "transfer_kind") }
        let conversion = try conversion.map { (raw: String) throws(Problem) in try Problem.parse(raw, as: ConversionKind.self, field: "conversion") }
        let details = EventDetails(voidsEventID: voidsEventID, reason: reason, historical: historical ?? false, sourceDocument: sourceDocument,
                                   authority: authority, certificateNumber: certificateNumber, certificateStandard: certificateStandard,
                                   conversion: conversion, categoryAfter: categoryAfter)
        return NewEvent(kind: kind, occurredOn: occurredOn, transferKind: transfer, place: place, agency: agency,
                        documentRef: documentRef, permitNumber: permitNumber, counterpartCountry: counterpartCountry,
                        counterpartHolderID: counterpartHolderID, notes: notes, details: details, crossBorder: crossBorder)
    }
}
