import Foundation
@_exported import ForensicsAPI
import IFCCore
import IFCHTTP
import IFCStore
import RegistryAPI

/// The forensics module: seizures (`SZ-2026-000123`), forensic cases (`FC-2026-000123`), their
/// links and examinations. Clerks record seizures; examiners write cases and examinations;
/// analysts and liaison officers read; every read and write is audited.
///
/// Laid out like the registry, a folder per concept (`Seizures/`, `Cases/`, `Examinations/`),
/// rules that need neither HTTP nor SQL in `Rules/`. The registry is read only through
/// `RegistryReading` and written only through `RegistryIntaking` (RegistryAPI), on this module's transaction.
public struct Forensics: IFCModule {
    public let name = "forensics"
    let database: Database
    let audit: AuditWriter
    let environment: AppEnvironment
    let registry: any RegistryReading
    let intake: any RegistryIntaking
    /// The laboratory named on its reports (`forensics.laboratory`).
    let laboratory: String
    /// Where the reports' exhibits and their custody come from (the exhibits module's source).
    let exhibitSource: any CaseExhibitSource
    /// Who an account is, when a member joins a case's team (the accounts module's directory).
    let users: any UserDirectory

    /// `SZ-2026-000123`, a seizure's number.
    public static let seizureReferences = ReferenceSeries.yearly("SZ")

    /// `FC-2026-000123`, a forensic case's number.
    public static let caseReferences = ReferenceSeries.yearly("FC")

    /// `LR-2026-000123`, a lab report's number; its amendments keep it with the next version.
    public static let reportReferences = ReferenceSeries.yearly("LR")

    /// The module's printable pages (`Templates/`) on the kit's print layout.
    static let templates = Result { try PageTemplates(moduleFiles: EmbeddedTemplates.files) }

    static let seizureWriters = RouteSpec.Access.roles([.clerk])
    static let seizureReaders = RouteSpec.Access.roles([.clerk, .analyst, .examiner, .liaison])
    /// Cases are the lab's: examiners write them; clerks, who record seizures, do not read them.
    static let caseWriters = RouteSpec.Access.roles([.examiner])
    static let caseReaders = RouteSpec.Access.roles(caseReadingRoles)
    /// Analysts link records as well as examiners.
    static let linkWriters = RouteSpec.Access.roles([.analyst, .examiner])

    public init(_ context: ModuleContext, registry: any RegistryReading, intake: any RegistryIntaking, exhibits: any CaseExhibitSource,
                users: any UserDirectory, laboratory: String = "Integrated Firearms Centre, forensic firearms laboratory") {
        self.laboratory = laboratory
        self.users = users
        self.exhibitSource = exhibits
        self.database = context.database
        self.audit = context.audit
        self.environment = context.environment
        self.registry = registry
        self.intake = intake
    }

    public func addRoutes(to routes: RouteRegistry) {
        addSeizureRoutes(to: routes)
        addCaseRoutes(to: routes)
        addMemberRoutes(to: routes)
        addExaminationRoutes(to: routes)
        addRestorationRoutes(to: routes)
        addReportRoutes(to: routes)
        addAuthorisationRoutes(to: routes)
    }

    public var schemas: [String: JSONValue] {
        [Self.seizureSchemas, Self.caseSchemas, Self.memberSchemas, Self.examinationSchemas, Self.restorationSchemas, Self.reportSchemas,
         Self.authorisationSchemas]
            .reduce(into: [:]) { all, part in all.merge(part) { first, _ in first } }
    }

    /// The app clock's UTC day.
    var today: CalendarDate { CalendarDate(environment.now()) }
}
