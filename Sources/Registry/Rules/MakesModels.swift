import Foundation
import IFCCore
import RegistryAPI

/// Why a firearm's description is to be reviewed: it does not match the reference table of makes
/// and models. Never a refusal: the table is never complete, and the record says what is marked.
public enum ReviewFlag: String, Sendable, Codable, CaseIterable {
    case unknownMake = "unknown_make"
    case unknownModel = "unknown_model"
    case implausibleType = "implausible_type"
    case implausibleCalibre = "implausible_calibre"
}

/// One reason to review, as an answer and an import report show it: the field and what is odd.
public struct ReviewWarning: Sendable, Encodable, Equatable {
    public var field: String
    public var text: String
    public var flag: ReviewFlag
}

/// The reference table of makes and models (in the spirit of INTERPOL's Firearms Reference Table):
/// each make with its models, their types and the calibres they are made in. The standard table is
/// `Config/makes-models.json`, compiled in; an administrator's file adds to it
/// (`registry.makesModelsFile`). Names match ignoring case, spaces and punctuation, and through
/// the aliases the table gives ("S&W", "9mm Luger").
public struct MakesModels: Sendable, Equatable {
    public struct Model: Sendable, Equatable {
        public var name: String
        public var aliases: [String]
        public var types: [FirearmType]
        /// As the table writes them (canonical names, or the calibre as given when it has none).
        public var calibres: [String]
    }

    public struct Make: Sendable, Equatable {
        public var name: String
        public var aliases: [String]
        public var country: Country?
        public var models: [Model]
    }

    public private(set) var makes: [Make] = []
    /// Calibre key → its canonical name.
    private var calibreNames: [String: String] = [:]
    /// Lookups by key, derived from `makes` and rebuilt whenever they change: a check costs a few
    /// hash lookups, not a fold of every name in the table (which was most of an import's CPU and
    /// a good part of a firearm create's).
    private var lookup = Lookup()

    struct Lookup: Sendable, Equatable {
        /// A make's name or alias key → the first make that has it.
        var makes: [String: Int] = [:]
        /// Per make: the keys of its names, to read "Glock 17" as model 17.
        var makeNames: [[String]] = []
        /// Per make: a model's name or alias key → the first model that has it.
        var models: [[String: Int]] = []
        /// Per make, per model: the keys of the calibres it is made in.
        var calibres: [[Set<String>]] = []
    }

    private mutating func reindex() {
        var lookup = Lookup()
        for (i, make) in makes.enumerated() {
            let names = make.names.map(Self.key).filter { !$0.isEmpty }
            for key in names where lookup.makes[key] == nil { lookup.makes[key] = i }
            lookup.makeNames.append(names)
            var models: [String: Int] = [:]
            for (j, model) in make.models.enumerated() {
                for key in ([model.name] + model.aliases).map(Self.key) where !key.isEmpty && models[key] == nil { models[key] = j }
            }
            lookup.models.append(models)
            lookup.calibres.append(make.models.map { Set($0.calibres.map(calibreKey)) })
        }
        self.lookup = lookup
    }

    public init() {}

    /// What is wrong with a table file, for the operator who wrote it.
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The file's form (`Config/makes-models.json`); other keys (such as `about`) are ignored.
    private struct File: Decodable {
        struct Calibre: Decodable { var name: String; var aliases: [String]? }
        struct Model: Decodable { var model: String; var aliases: [String]?; var types: [String]; var calibres: [String] }
        struct Make: Decodable { var make: String; var aliases: [String]?; var country: String?; var models: [Model] }
        var calibres: [Calibre]?
        var makes: [Make]?
    }

    /// Reads a table file; every make, model, type and country is checked, and the first wrong one named.
    public init(json data: Data) throws(LoadError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw LoadError(description: "is not a makes and models table: \(error)")
        }
        for calibre in file.calibres ?? [] {
            guard !Self.key(calibre.name).isEmpty else { throw LoadError(description: "a calibre has no name") }
            for name in [calibre.name] + (calibre.aliases ?? []) where !Self.key(name).isEmpty {
                calibreNames[Self.key(name)] = calibre.name
            }
        }
        for make in file.makes ?? [] {
            guard !Self.key(make.make).isEmpty, make.make.count <= 100 else { throw LoadError(description: "a make has no name, or one over 100 characters") }
            var country: Country?
            if let code = make.country {
                guard let parsed = Country(code) else { throw LoadError(description: "make \(make.make): country \(code) \(Country.rule)") }
                country = parsed
            }
            var models: [Model] = []
            for model in make.models {
                guard !Self.key(model.model).isEmpty else { throw LoadError(description: "make \(make.make): a model has no name") }
                var types: [FirearmType] = []
                for raw in model.types {
                    guard let type = FirearmType(rawValue: raw) else {
                        throw LoadError(description: "make \(make.make), model \(model.model): type \(raw) is not one of "
                                        + FirearmType.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    types.append(type)
                }
                guard !types.isEmpty, !model.calibres.isEmpty else {
                    throw LoadError(description: "make \(make.make), model \(model.model): needs at least one type and one calibre")
                }
                models.append(Model(name: model.model, aliases: model.aliases ?? [], types: types,
                                    calibres: model.calibres.map { calibreNames[Self.key($0)] ?? $0 }))
            }
            add(Make(name: make.make, aliases: make.aliases ?? [], country: country, models: models))
        }
        reindex()
    }

    /// The table with `other`'s entries added: new makes and models appended, and a make or
    /// model both tables know gets the other's aliases, types and calibres as well.
    public func adding(_ other: MakesModels) -> MakesModels {
        var merged = self
        for (key, name) in other.calibreNames where merged.calibreNames[key] == nil { merged.calibreNames[key] = name }
        for make in other.makes { merged.add(make) }
        merged.reindex()
        return merged
    }

    private mutating func add(_ make: Make) {
        guard let index = make.names.lazy.compactMap({ [makes] name in
            makes.firstIndex { $0.names.contains { Self.key($0) == Self.key(name) } }
        }).first else {
            makes.append(make)
            return
        }
        var existing = makes[index]
        let known = Set(existing.names.map(Self.key))
        existing.aliases += ([make.name] + make.aliases).filter { !known.contains(Self.key($0)) }
        existing.country = existing.country ?? make.country
        for model in make.models {
            guard let m = existing.modelIndex(of: model.name) else {
                existing.models.append(model)
                continue
            }
            var merged = existing.models[m]
            merged.aliases += model.aliases
            merged.types += model.types.filter { !existing.models[m].types.contains($0) }
            let calibres = Set(merged.calibres.map(Self.key))
            merged.calibres += model.calibres.filter { !calibres.contains(Self.key($0)) }
            existing.models[m] = merged
        }
        makes[index] = existing
    }

    public var modelCount: Int { makes.reduce(0) { $0 + $1.models.count } }

    /// Lower case, diacritics folded, letters and digits only: "Sig-Sauer" and "SIG SAUER" are one
    /// make, "M&P 9" and "M&P9" one model, "9 x 19 mm" and "9x19mm" one calibre.
    public static func key(_ text: String) -> String {
        String(String.UnicodeScalarView(text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }

    private func makeIndex(of name: String) -> Int? {
        lookup.makes[Self.key(name)]
    }

    /// A model of the `make`th make by its name or an alias, also written with the make before it
    /// ("Glock 17"): the first model in the table that matches.
    private func modelIndex(make: Int, of model: String) -> Int? {
        let key = Self.key(model)
        var found = lookup.models[make][key]
        for name in lookup.makeNames[make] where key.hasPrefix(name) && key.count > name.count {
            if let j = lookup.models[make][String(key.dropFirst(name.count))] { found = min(found ?? j, j) }
        }
        return found
    }

    public func make(named name: String) -> Make? { makeIndex(of: name).map { makes[$0] } }

    /// The calibre's key, through the table's aliases ("9mm Luger" is 9x19mm).
    func calibreKey(_ calibre: String) -> String { Self.key(calibreNames[Self.key(calibre)] ?? calibre) }

    /// What does not match the table in a description: nothing, or one warning per odd field.
    public func warnings(make: String, model: String?, type: FirearmType, calibre: String) -> [ReviewWarning] {
        guard let makeIndex = makeIndex(of: make) else {
            return [ReviewWarning(field: "make", text: "\(make) is not a make in the reference table of makes and models", flag: .unknownMake)]
        }
        let known = makes[makeIndex]
        let calibre = calibre.trimmingCharacters(in: .whitespacesAndNewlines)
        let wanted = calibreKey(calibre)
        func madeIn(_ model: Int) -> Bool { lookup.calibres[makeIndex][model].contains(wanted) }
        if let model, !model.isBlank {
            guard let index = modelIndex(make: makeIndex, of: model) else {
                return [ReviewWarning(field: "model", text: "\(model) is not a model of \(known.name) in the reference table "
                                      + "(known: \(known.models.map(\.name).joined(separator: ", ")))", flag: .unknownModel)]
            }
            let m = known.models[index]
            var warnings: [ReviewWarning] = []
            if !m.types.contains(type) {
                warnings.append(ReviewWarning(field: "type", text: "the \(known.name) \(m.name) is a \(m.types.map(\.rawValue).joined(separator: " or ")), "
                                              + "not a \(type.rawValue)", flag: .implausibleType))
            }
            if !madeIn(index) {
                warnings.append(ReviewWarning(field: "calibre", text: "the \(known.name) \(m.name) is made in \(m.calibres.joined(separator: ", ")), "
                                              + "not \(calibre)", flag: .implausibleCalibre))
            }
            return warnings
        }
        // No model: the type and calibre must fit one of the make's models.
        let ofType = known.models.indices.filter { known.models[$0].types.contains(type) }
        if ofType.isEmpty {
            return [ReviewWarning(field: "type", text: "\(known.name) makes no \(type.rawValue) in the reference table", flag: .implausibleType)]
        }
        if !ofType.contains(where: madeIn) {
            return [ReviewWarning(field: "calibre", text: "\(known.name) makes no \(type.rawValue) in \(calibre) in the reference table",
                                  flag: .implausibleCalibre)]
        }
        return []
    }

    public func warnings(for d: FirearmDescription) -> [ReviewWarning] {
        warnings(make: d.make, model: d.model, type: d.type, calibre: d.calibre)
    }
}

extension MakesModels.Make {
    var names: [String] { [name] + aliases }

    /// A model by its name or an alias, also written with the make before it ("Glock 17").
    func modelIndex(of model: String) -> Int? {
        let key = MakesModels.key(model)
        let bare = names.map(MakesModels.key).filter { !$0.isEmpty && key.hasPrefix($0) && key.count > $0.count }
            .map { String(key.dropFirst($0.count)) }
        return models.firstIndex { m in
            ([m.name] + m.aliases).contains { name in
                let k = MakesModels.key(name)
                return k == key || bare.contains(k)
            }
        }
    }
}

extension MakesModels {
    /// `Config/makes-models.json`, compiled in by the EmbedReference plugin. Empty only if that
    /// file is broken, which a test catches (`ReferenceTableTests`).
    public static let standard: MakesModels = {
        guard let file = EmbeddedReference.files.first, let data = Data(base64Encoded: file.base64),
              let table = try? MakesModels(json: data) else { return MakesModels() }
        return table
    }()

    /// The standard table with an administrator's file added (`registry.makesModelsFile`).
    public static func standard(adding path: String?) throws(LoadError) -> MakesModels {
        guard let path else { return standard }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "\(path) cannot be read")
        }
        do {
            return standard.adding(try MakesModels(json: data))
        } catch {
            throw LoadError(description: "\(path) \(error.description)")
        }
    }
}
