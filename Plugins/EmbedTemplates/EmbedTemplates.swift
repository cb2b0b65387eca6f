import Foundation
import PackagePlugin

/// Compiles a target's `Templates/*.mustache` (printable pages) into that target as the
/// internal enum `EmbeddedTemplates`, so that the binary carries them and needs no resource
/// folder. The kit (IFCHTTP) carries the shared print layout; each module that prints carries
/// its own pages and renders them with `PageTemplates`.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let source = target as? SourceModuleTarget else { return [] }
        let folder = source.directoryURL.appending(path: "Templates")
        let files = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "mustache" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedTemplates.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) templates of \(target.name)",
                executable: try context.tool(named: "embed-schema").url,
                arguments: ["--enum", "EmbeddedTemplates", output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
