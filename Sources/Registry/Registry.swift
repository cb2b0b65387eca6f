import Foundation
import IFCCore
import IFCHTTP
import IFCStore
@_exported import RegistryAPI

/// The national firearms registry: firearms, their versions and events, holders, licences,
/// serial search and bulk import. Clerks write; analysts, examiners and liaison officers read;
/// every read and write is audited.
///
/// Each concept has its folder: the model (`Firearm.swift`), its SQL (`+Store`), its
/// transactions (`+Service`), its request bodies (`+Body`), its routes (`+Routes`) and its
/// OpenAPI schemas (`+Schemas`). Rules that need neither HTTP nor SQL live in `Rules/`.
/// Other modules read the registry through `RegistryReading` and write it through `RegistryIntaking`
/// (the RegistryAPI target, the only part of the registry they may import), never through its tables.
public struct Registry: IFCModule {
    public let name = "registry"
    let database: Database
    let audit: AuditWriter
    let environment: AppEnvironment
    let settings: RegistrySettings
    /// Who may be shown a restored firearm's `restoration_case` (the forensics module answers).
    let caseDisclosure = CaseDisclosureSource()

    /// `FA-0000123`, the national firearm number.
    public static let firearmReferences = ReferenceSeries.national("FA")
    /// `CS-2026-000123`, a consignment's number.
    public static let consignmentReferences = ReferenceSeries.yearly("CS")
    /// `HO-000123`, a holder's number.
    public static let holderReferences = ReferenceSeries.national("HO", digits: 6)

    static let readers = RouteSpec.Access.roles([.clerk, .analyst, .examiner, .liaison])
    static let writers = RouteSpec.Access.roles([.clerk])

    public init(_ context: ModuleContext, settings: RegistrySettings = RegistrySettings()) {
        self.database = context.database
        self.audit = context.audit
        self.environment = context.environment
        self.settings = settings
    }

    /// The read API other modules use, its reads audited as the caller's and marked with `module`.
    public func reader(for module: String) -> RegistryReader {
        RegistryReader(registry: self, module: module)
    }

    public func addRoutes(to routes: RouteRegistry) {
        addFirearmRoutes(to: routes)
        addSearchRoutes(to: routes)
        addEventRoutes(to: routes)
        addImportRoutes(to: routes)
        addLicenceRoutes(to: routes)
        addHolderRoutes(to: routes)
        addConsignmentRoutes(to: routes)
        addComponentRoutes(to: routes)
        addDealerRegisterRoutes(to: routes)
        addRetentionRoutes(to: routes)
    }

    public var schemas: [String: JSONValue] {
        [Self.firearmSchemas(categories: settings.categories), Self.searchSchemas, Self.eventSchemas(categories: settings.categories), Self.importSchemas, Self.licenceSchemas, Self.holderSchemas,
         Self.consignmentSchemas, Self.componentSchemas, Self.dealerRegisterSchemas, Self.retentionSchemas]
            .reduce(into: [:]) { all, part in all.merge(part) { first, _ in first } }
    }

    /// The app clock's UTC day.
    var today: CalendarDate { CalendarDate(environment.now()) }
    var currentYear: Int { today.year }
}
