import Foundation
import ExhibitsAPI
import ForensicsAPI
import IFCCore
import IFCHTTP
import IFCStore
import RegistryAPI

/// What the tracing module may be configured with.
public struct TracingSettings: Sendable {
    /// Time-to-crime under this many years is flagged (ATF's "short time-to-crime": 3).
    public var timeToCrimeYears: Int
    /// This node's country: the country of domestic steps in an answer assembled from the registry.
    public var nodeCountry: Country?

    public init(timeToCrimeYears: Int = 3, nodeCountry: Country? = nil) {
        self.timeToCrimeYears = timeToCrimeYears
        self.nodeCountry = nodeCountry
    }
}

/// The tracing module: international tracing requests (ITI section V), outgoing
/// (`TR-2026-000045`, drafted, sent, acknowledged, answered, closed) and incoming (matched
/// against the registry on arrival and answered from its history). Liaison officers write;
/// analysts read; every read and write is audited.
///
/// Laid out like the forensics module, a folder per concept (`Traces/`, `Messages/`,
/// `Incoming/`), rules without HTTP or SQL in `Rules/`. The registry is read only through
/// `RegistryReading`, seizures and cases only through `ForensicsReading`, exhibits only through
/// `ExhibitsReading` (the API targets; never the implementations).
public struct Tracing: IFCModule {
    public let name = "tracing"
    let database: Database
    let audit: AuditWriter
    let environment: AppEnvironment
    let registry: any RegistryReading
    let forensics: any ForensicsReading
    let exhibits: any ExhibitsReading
    let users: any UserDirectory
    let settings: TracingSettings

    /// `TR-2026-000045`, a request's number (outgoing and incoming share the series).
    public static let references = ReferenceSeries.yearly("TR")

    /// The module's printable pages (`Templates/`) on the kit's print layout.
    static let templates = Result { try PageTemplates(moduleFiles: EmbeddedTemplates.files) }

    static let writers = RouteSpec.Access.roles([.liaison])
    static let readers = RouteSpec.Access.roles([.liaison, .analyst, .legal])
    /// The legal review: a lawyer's, never the liaison officer's who drafts and sends.
    static let lawyers = RouteSpec.Access.roles([.legal])

    public init(_ context: ModuleContext, registry: any RegistryReading, forensics: any ForensicsReading, exhibits: any ExhibitsReading,
                users: any UserDirectory, settings: TracingSettings = .init()) {
        self.database = context.database
        self.audit = context.audit
        self.environment = context.environment
        self.registry = registry
        self.forensics = forensics
        self.exhibits = exhibits
        self.users = users
        self.settings = settings
    }

    public func addRoutes(to routes: RouteRegistry) {
        addTraceRoutes(to: routes)
        addMessageRoutes(to: routes)
        addIncomingRoutes(to: routes)
        addTeamRoutes(to: routes)
    }

    public var schemas: [String: JSONValue] { Self.traceSchemas.merging(Self.teamSchemas) { a, _ in a } }

    /// The app clock's UTC day.
    var today: CalendarDate { CalendarDate(environment.now()) }
}
