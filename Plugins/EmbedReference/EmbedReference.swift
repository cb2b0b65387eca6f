import Foundation
import PackagePlugin

/// Compiles `Config/makes-models.json` (the reference table of makes and models) into the
/// registry target, as `EmbedSchema` does with the migrations: the binary carries the table and
/// needs no resource folder beside it. `registry.makesModelsFile` adds to it at run time.
@main
struct EmbedReference: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let table = context.package.directoryURL.appending(path: "Config").appending(path: "makes-models.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedReference.swift")
        return [
            .buildCommand(
                displayName: "Embedding Config/makes-models.json",
                executable: try context.tool(named: "embed-schema").url,
                arguments: ["--enum", "EmbeddedReference", output.path, table.path],
                inputFiles: [table],
                outputFiles: [output])
        ]
    }
}
