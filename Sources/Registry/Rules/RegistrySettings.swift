import Foundation

/// What a deployment decides about its registry (`registry.*` in the configuration).
public struct RegistrySettings: Sendable, Equatable {
    /// EU Directive 2021/555 Annex I: A (prohibited), B (subject to authorisation), C (subject to
    /// declaration), and a national category for what national law adds.
    public static let defaultCategories = ["A", "B", "C", "national"]

    /// The legal categories a firearm may be given.
    public var categories: [String]

    /// The reference table of makes and models registrations are compared with
    /// (`registry.makesModelsFile` adds to the standard one).
    public var makesModels: MakesModels

    public init(categories: [String] = RegistrySettings.defaultCategories, makesModels: MakesModels = .standard) {
        self.categories = categories
        self.makesModels = makesModels
    }
}
