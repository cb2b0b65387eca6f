import Foundation
import ForensicsAPI
import IFCCore
import IFCHTTP

/// The JSON body of `POST /v1/traces` and `PATCH /v1/traces/{id}` (a draft).
struct TraceBody: StrictBody {
    var addressee: Addressee?
    var channel: TraceChannel?
    var requestingOfficer: String?
    var requestingAgency: String?
    var firearm: FoundFirearm?
    var circumstances: Circumstances?
    var legalBasis: String?
    var illicitNature: String?
    var intendedUse: String?
    var urgency: TraceUrgency?
    var deadline: CalendarDate?
    var confidentiality: Confidentiality?
    var restrictions: String?
    var seizureID: UUID?
    var caseID: UUID?
    var firearmID: UUID?
    var parentID: UUID?
    var exhibitID: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case addressee, channel, firearm, circumstances, urgency, deadline, confidentiality, restrictions
        case requestingOfficer = "requesting_officer", requestingAgency = "requesting_agency", legalBasis = "legal_basis"
        case illicitNature = "illicit_nature", intendedUse = "intended_use", seizureID = "seizure_id", caseID = "case_id"
        case firearmID = "firearm_id", parentID = "parent_id", exhibitID = "exhibit_id"
    }

    /// A new outgoing draft: the addressee and the channel are required from the start.
    func newDraft(addresseeRequired: Bool = true) throws(Problem) -> TraceFields {
        var rules = FieldRules()
        if addresseeRequired { rules.required(addressee, "addressee") }
        rules.required(channel, "channel")
        try rules.throwIfAny()
        return TraceFields(addressee: addressee, requestingState: nil, foreignReference: nil, receivedOn: nil, channel: channel ?? .other,
                           requestingOfficer: requestingOfficer, requestingAgency: requestingAgency, firearm: firearm,
                           circumstances: circumstances, legalBasis: legalBasis, illicitNature: illicitNature, intendedUse: intendedUse,
                           urgency: urgency ?? .routine, deadline: deadline, confidentiality: confidentiality ?? .restricted,
                           restrictions: restrictions, seizureID: seizureID, caseID: caseID, firearmID: firearmID, parentID: parentID,
                           exhibitID: exhibitID)
    }

    /// The fields given replace the draft's.
    func applied(to f: TraceFields) throws(Problem) -> TraceFields {
        var f = f
        if let addressee { f.addressee = addressee }
        if let channel { f.channel = channel }
        if let requestingOfficer { f.requestingOfficer = requestingOfficer }
        if let requestingAgency { f.requestingAgency = requestingAgency }
        if let firearm { f.firearm = firearm }
        if let circumstances { f.circumstances = circumstances }
        if let legalBasis { f.legalBasis = legalBasis }
        if let illicitNature { f.illicitNature = illicitNature }
        if let intendedUse { f.intendedUse = intendedUse }
        if let urgency { f.urgency = urgency }
        if let deadline { f.deadline = deadline }
        if let confidentiality { f.confidentiality = confidentiality }
        if let restrictions { f.restrictions = restrictions }
        if let seizureID { f.seizureID = seizureID }
        if let caseID { f.caseID = caseID }
        if let firearmID { f.firearmID = firearmID }
        if let parentID { f.parentID = parentID }
        if let exhibitID { f.exhibitID = exhibitID }
        return f
    }

    var isEmpty: Bool {
        addressee == nil && channel == nil && requestingOfficer == nil && requestingAgency == nil && firearm == nil && circumstances == nil
            && legalBasis == nil && illicitNature == nil && intendedUse == nil && urgency == nil && deadline == nil && confidentiality == nil
            && restrictions == nil && seizureID == nil && caseID == nil && firearmID == nil && parentID == nil
            && exhibitID == nil
    }
}

/// The JSON body of `POST /v1/traces/bulk`: one trace per firearm of a seizure, sharing the rest.
struct BulkTraceBody: StrictBody {
    var seizureID: UUID
    var addressee: Addressee?
    var channel: TraceChannel
    var requestingOfficer: String?
    var requestingAgency: String?
    var circumstances: Circumstances?
    var legalBasis: String?
    var illicitNature: String?
    var intendedUse: String?
    var urgency: TraceUrgency?
    var deadline: CalendarDate?
    var confidentiality: Confidentiality?
    var restrictions: String?
    var caseID: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case addressee, channel, circumstances, urgency, deadline, confidentiality, restrictions
        case seizureID = "seizure_id", requestingOfficer = "requesting_officer", requestingAgency = "requesting_agency"
        case legalBasis = "legal_basis", illicitNature = "illicit_nature", intendedUse = "intended_use", caseID = "case_id"
    }

    var template: TraceFields {
        TraceFields(addressee: addressee, requestingState: nil, foreignReference: nil, receivedOn: nil, channel: channel,
                    requestingOfficer: requestingOfficer, requestingAgency: requestingAgency, firearm: nil, circumstances: circumstances,
                    legalBasis: legalBasis, illicitNature: illicitNature, intendedUse: intendedUse, urgency: urgency ?? .routine,
                    deadline: deadline, confidentiality: confidentiality ?? .restricted, restrictions: restrictions, seizureID: seizureID,
                    caseID: caseID, firearmID: nil, parentID: nil)
    }
}

/// The JSON body of `POST /v1/traces/{id}/legal-review`.
/// The reviewer is the caller, in their own name: no free-text approver. On an incoming request
/// the review is of the answer the registry gives for `firearm_id`.
struct LegalReviewBody: StrictBody {
    var note: String?
    var firearmID: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case note
        case firearmID = "firearm_id"
    }

    func validate() throws(Problem) {
        var rules = FieldRules()
        rules.text(note, "note", max: 2000)
        try rules.throwIfAny()
    }
}

/// The JSON body of `POST /v1/traces/{id}/messages`.
struct MessageBody: StrictBody {
    var kind: MessageKind
    var direction: MessageDirection
    var occurredOn: CalendarDate?
    var body: String?
    var answer: TraceAnswer?
    /// The registry firearm an answer to an incoming request is about (bound with its version).
    var firearmID: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, direction, body, answer
        case occurredOn = "occurred_on", firearmID = "firearm_id"
    }
}

/// The JSON body of `POST /v1/traces/incoming`.
struct IncomingBody: StrictBody {
    var requestingState: Country
    var channel: TraceChannel
    var foreignReference: String?
    var requestingOfficer: String?
    var requestingAgency: String?
    var receivedOn: CalendarDate?
    var firearm: FoundFirearm
    var circumstances: Circumstances?
    var legalBasis: String?
    var illicitNature: String?
    var intendedUse: String?
    var urgency: TraceUrgency?
    var deadline: CalendarDate?
    var confidentiality: Confidentiality?
    var restrictions: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case channel, firearm, circumstances, urgency, deadline, confidentiality, restrictions
        case requestingState = "requesting_state", foreignReference = "foreign_reference", requestingOfficer = "requesting_officer"
        case requestingAgency = "requesting_agency", receivedOn = "received_on", legalBasis = "legal_basis"
        case illicitNature = "illicit_nature", intendedUse = "intended_use"
    }

    func fields(today: CalendarDate) -> TraceFields {
        TraceFields(addressee: nil, requestingState: requestingState, foreignReference: foreignReference, receivedOn: receivedOn ?? today,
                    channel: channel, requestingOfficer: requestingOfficer, requestingAgency: requestingAgency, firearm: firearm,
                    circumstances: circumstances, legalBasis: legalBasis, illicitNature: illicitNature, intendedUse: intendedUse,
                    urgency: urgency ?? .routine, deadline: deadline, confidentiality: confidentiality ?? .restricted,
                    restrictions: restrictions, seizureID: nil, caseID: nil, firearmID: nil, parentID: nil)
    }
}
