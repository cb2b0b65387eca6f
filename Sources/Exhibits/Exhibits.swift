import ForensicsAPI
import Foundation
@_exported import ExhibitsAPI
import IFCCore
import IFCHTTP
import IFCStore
import RegistryAPI

/// The exhibits module: ballistic exhibits (`EX-2026-000123`) of forensic cases, their chain of
/// custody (ISO/IEC 17025 §7.4), imaging acquisitions, leads, hits and the clusters the hits make.
/// Examiners write; analysts and liaison officers read.
///
/// Laid out like the registry, a folder per concept (`Exhibits/`, `Custody/`, `Leads/`), rules that need
/// neither HTTP nor SQL in `Rules/`. Cases and seizures are read only through `ForensicsReading`,
/// registry firearms only through `RegistryReading`; this module writes only its own tables.
public struct Exhibits: IFCModule {
    public let name = "exhibits"
    let database: Database
    let audit: AuditWriter
    let environment: AppEnvironment
    let forensics: any ForensicsReading
    let registry: any RegistryReading
    /// Where a firearm exhibit's disposition is recorded in the registry (its event, on the
    /// disposition's transaction).
    let intake: (any RegistryIntaking)?
    /// Who may receive an exhibit (the accounts module's, through IFCHTTP's `UserDirectory`).
    let users: any UserDirectory

    /// `EX-2026-000123`, an exhibit's number.
    public static let references = ReferenceSeries.yearly("EX")

    /// The lab writes exhibits and keeps their custody.
    static let writers = RouteSpec.Access.roles([.examiner])
    /// Analysts read everything; liaison officers read the exhibits of the cases they trace
    /// (for now: all exhibits, as they read all cases).
    static let readers = RouteSpec.Access.roles([.analyst, .examiner, .liaison])
    /// The exhibits and their custody: also the evidence officers who keep them.
    static let itemReaders = RouteSpec.Access.roles([.analyst, .examiner, .liaison, .evidenceOfficer])
    /// Custody steps: an examiner for the items they hold, an evidence officer for those held at a
    /// location or outside (the custody path checks which; `lockForCustody`).
    static let custodians = RouteSpec.Access.roles([.examiner, .evidenceOfficer])

    /// `intake` nil: a read-only assembly (a disposition of a firearm exhibit is then refused, never
    /// left unrecorded in the registry).
    public init(_ context: ModuleContext, forensics: any ForensicsReading, registry: any RegistryReading, intake: (any RegistryIntaking)? = nil,
                users: any UserDirectory) {
        self.database = context.database
        self.audit = context.audit
        self.environment = context.environment
        self.forensics = forensics
        self.registry = registry
        self.intake = intake
        self.users = users
    }

    public func addRoutes(to routes: RouteRegistry) {
        addExhibitRoutes(to: routes)
        addCustodyRoutes(to: routes)
        addLeadRoutes(to: routes)
    }

    public var schemas: [String: JSONValue] {
        [Self.exhibitSchemas, Self.custodySchemas, Self.leadSchemas].reduce(into: [:]) { all, part in all.merge(part) { first, _ in first } }
    }

    /// The app clock's UTC day.
    var today: CalendarDate { CalendarDate(environment.now()) }
}
