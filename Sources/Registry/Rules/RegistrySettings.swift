import Foundation
import IFCCore
import RegistryAPI

/// What a deployment decides about its registry (`registry.*` in the configuration).
/// Who a record is kept for: EU 2021/555 Art 4(4) keeps records 30 years after destruction for
/// law enforcement, and 10 years for licensing and customs authorities.
public enum RetentionUse: String, Sendable, Codable, CaseIterable {
    case licensing
    case lawEnforcement = "law_enforcement"
}

public struct RegistrySettings: Sendable, Equatable {
    /// The categories of EU Directive 2021/555 Annex I (`FirearmDescription.defaultCategories`).
    public static let defaultCategories = FirearmDescription.defaultCategories

    /// The legal categories a firearm may be given.
    public var categories: [String]

    /// The reference table of makes and models registrations are compared with
    /// (`registry.makesModelsFile` adds to the standard one).
    public var makesModels: MakesModels

    /// Years after destruction a record is kept for each use.
    public var retentionYears: [RetentionUse: Int]
    public static let defaultRetentionYears: [RetentionUse: Int] = [.lawEnforcement: 30, .licensing: 10]

    /// The largest CSV body `POST /v1/imports/firearms` takes (`imports.maxBytes`) and the most
    /// rows (`imports.maxRows`); larger files go through `ifcd import firearms`, which has no cap.
    public var importMaxBytes: Int
    public var importMaxRows: Int
    public static let defaultImportMaxBytes = 32 * 1024 * 1024
    public static let defaultImportMaxRows = 200_000

    public init(categories: [String] = RegistrySettings.defaultCategories, makesModels: MakesModels = .standard,
                retentionYears: [RetentionUse: Int] = RegistrySettings.defaultRetentionYears,
                importMaxBytes: Int = RegistrySettings.defaultImportMaxBytes, importMaxRows: Int = RegistrySettings.defaultImportMaxRows) {
        self.categories = categories
        self.makesModels = makesModels
        self.retentionYears = retentionYears
        self.importMaxBytes = importMaxBytes
        self.importMaxRows = importMaxRows
    }
}
