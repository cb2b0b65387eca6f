import Foundation
import Testing

/// The module boundaries: a domain module may import another module's API target (its models and
/// read and intake protocols), never its implementation. The package's declared dependencies say
/// so, and `Deploy/check-boundaries.sh` shows the compiler refusing a planted import. On Linux a
/// module built in the same build folder is found even when undeclared, so these tests also read
/// every source file's imports.
@Suite("Module boundaries")
struct ModuleBoundaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Implementation targets and the folder each lives in.
    static let implementations = ["Registry": "Registry", "Forensics": "Forensics", "Exhibits": "Exhibits", "IFCTracing": "Tracing"]
    /// Who may import an implementation: its own target, and the assembly (server, executable).
    static let assemblers: Set<String> = ["IFCServer", "ifcd"]

    static func imports(inFolder folder: String) throws -> [(file: String, module: String)] {
        let base = root.appendingPathComponent("Sources").appendingPathComponent(folder)
        guard let files = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var found: [(String, String)] = []
        for case let url as URL in files where url.pathExtension == "swift" {
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                if let i = words.firstIndex(of: "import"), i + 1 < words.count, words[..<i].allSatisfy({ $0.hasPrefix("@") }) {
                    found.append((url.lastPathComponent, String(words[i + 1])))
                }
            }
        }
        return found
    }

    @Test("no module imports another module's implementation target; each imports the API targets")
    func sourcesImportOnlyAPITargets() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
        #expect(folders.contains("RegistryAPI") && folders.contains("ForensicsAPI") && folders.contains("ExhibitsAPI"))
        var checked = 0
        for folder in folders where !Self.assemblers.contains(folder) {
            let own = Self.implementations.first { $0.value == folder }?.key
            for (file, module) in try Self.imports(inFolder: folder) where Self.implementations[module] != nil && module != own {
                Issue.record("Sources/\(folder)/…/\(file) imports \(module), an implementation target: import \(module == "IFCTracing" ? "TracingAPI" : module + "API")")
            }
            checked += 1
        }
        #expect(checked >= 10)
        // The consumers do read the others, through the API targets.
        let forensics = Set(try Self.imports(inFolder: "Forensics").map(\.module))
        #expect(forensics.contains("RegistryAPI"))
        let tracing = Set(try Self.imports(inFolder: "Tracing").map(\.module))
        #expect(tracing.isSuperset(of: ["RegistryAPI", "ForensicsAPI", "ExhibitsAPI"]))
    }

    @Test("the package declares no dependency of a module on another module's implementation")
    func packageDeclaresAPIDependenciesOnly() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        // Each `.target(name: "X", dependencies: [ ... ]` block, by target name.
        let pattern = try NSRegularExpression(pattern: #"name: "(\w+)",\s*dependencies: \[([^\]]*)\]"#)
        var dependencies: [String: Set<String>] = [:]
        for match in pattern.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest)) {
            let name = String(manifest[Range(match.range(at: 1), in: manifest)!])
            let list = String(manifest[Range(match.range(at: 2), in: manifest)!])
            let quoted = try NSRegularExpression(pattern: #"^\s*"(\w+)""#, options: .anchorsMatchLines)
            dependencies[name] = Set(list.split(separator: ",").compactMap { part -> String? in
                let text = String(part)
                guard let m = quoted.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
                return String(text[Range(m.range(at: 1), in: text)!])
            })
        }
        for module in ["Forensics", "Exhibits", "IFCTracing"] {
            let declared = try #require(dependencies[module], "no target \(module) in Package.swift")
            let implementations = declared.intersection(Self.implementations.keys)
            #expect(implementations.isEmpty, "\(module) depends on \(implementations.sorted())")
        }
        #expect(dependencies["Forensics"]?.contains("RegistryAPI") == true)
        #expect(dependencies["ForensicsAPI"] == ["IFCCore", "RegistryAPI"])
        #expect(dependencies["RegistryAPI"]?.contains("Registry") == false)
    }

    @Test("every file that declares an encodable type imports IFCCore, whose JSON policy writes absent values as null")
    func encodableTypesSeeTheJSONPolicy() throws {
        // The policy's `encodeIfPresent` overloads shadow the standard library's only in files that
        // import IFCCore: a model moved to a file without it silently drops its null fields.
        let sources = Self.root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        let declaration = try NSRegularExpression(pattern: #"^\s*(public |package )?(struct|enum|final class) \w+[^{]*\b(Codable|Encodable)\b"#,
                                                  options: .anchorsMatchLines)
        var checked = 0
        for case let url as URL in files where url.pathExtension == "swift" && !url.path.contains("/Sources/IFCCore/") {
            let text = try String(contentsOf: url, encoding: .utf8)
            guard declaration.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil else { continue }
            checked += 1
            #expect(text.contains("\nimport IFCCore\n") || text.hasPrefix("import IFCCore\n") || text.contains("@_exported import IFCCore"),
                    "\(url.path) declares an encodable type without importing IFCCore")
        }
        #expect(checked > 40)
    }
}
