import Foundation
import IFCCore
import IFCHTTP
import RegistryAPI

/// The JSON body of `POST /v1/components` and `POST /v1/firearms/{id}/components`.
struct ComponentBody: StrictBody {
    var part: String
    var make: String?
    var calibre: String?
    var serial: String?
    var otherMarkings: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case part, make, calibre, serial
        case otherMarkings = "other_markings"
    }

    func component() throws(Problem) -> NewComponent {
        NewComponent(part: try Problem.parse(part, as: ComponentPart.self, field: "part"), make: make?.trimmed, calibre: calibre?.trimmed,
                     serial: serial, otherMarkings: otherMarkings)
    }
}

/// The JSON body of `POST /v1/components/{id}/events`: a loose component's lifecycle only.
struct ComponentEventBody: StrictBody {
    var kind: String
    var occurredOn: CalendarDate
    var place: String?
    var agency: String?
    var notes: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, place, agency, notes
        case occurredOn = "occurred_on"
    }

    func event() throws(Problem) -> NewEvent {
        let kind = try Problem.parse(kind, as: EventKind.self, field: "kind")
        guard ComponentEvent.kinds.contains(kind) else {
            throw Problem.invalid("kind", "must be one of \(ComponentEvent.kinds.map(\.rawValue).joined(separator: ", "))")
        }
        return NewEvent(kind: kind, occurredOn: occurredOn, place: place, agency: agency, notes: notes)
    }
}
