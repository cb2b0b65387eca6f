import ArgumentParser
import Foundation
import IFCCore
import IFCServer
import IFCStore
import Registry

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Bulk imports.", subcommands: [Firearms.self])

    struct Firearms: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import firearms from a CSV file (header row naming the columns; UTF-8).",
            discussion: "Columns: \(FirearmImport.columns.joined(separator: ", ")). make, type, calibre and serial are required. "
                + "Valid rows are imported, invalid ones reported with line, column and reason; rows already registered are "
                + "skipped, so a re-run adds nothing. Exit 0 when every row was valid, 1 when some were not, 2 on failure.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The CSV file, or - for standard input.") var file: String
        @Flag(help: "Validate and count only; write nothing.") var dryRun = false
        @Flag(help: ArgumentHelp(
            "First national load into an empty or near-empty registry: all or nothing, indexes built after.",
            discussion: "Runs as the owner role in one transaction and holds the firearms table meanwhile; refused when the "
                + "registry holds more than \(FirearmImport.initialLoadCeiling) firearms."))
        var initial = false

        func run() async throws {
            let config = try await common.load()
            let logger = Logs.bootstrap(serve: false, config: config)
            let handle: FileHandle
            if file == "-" {
                handle = .standardInput
            } else {
                guard let opened = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
                handle = opened
            }
            let report: ImportReport
            do {
                report = try await withStore(config, logger: logger) { runtime in
                    let importer = FirearmImport(database: runtime.database, principal: cliPrincipal, requestID: nil,
                                                 dryRun: dryRun, makesModels: config.registryMakesModels, logger: logger)
                    let started = Date()
                    let progress: @Sendable (ImportReport) -> Void = { progress in
                        let seconds = max(Date().timeIntervalSince(started), 0.001)
                        FileHandle.standardError.write(Data(String(
                            format: "\r%d rows read, %d imported, %d duplicates, %d invalid (%.0f rows/s)",
                            progress.rows, progress.imported, progress.duplicates, progress.invalid, Double(progress.rows) / seconds).utf8))
                    }
                    if initial {
                        return try await importer.runInitialLoad(FileChunks(handle: handle), owner: runtime.ownerSettings, progress: progress)
                    }
                    return try await importer.run(FileChunks(handle: handle), progress: progress)
                }
            } catch {
                FileHandle.standardError.write(Data("\nifcd import firearms: \(describe(error))\n".utf8))
                if let problem = error as? Problem {
                    for field in problem.errors ?? [] { FileHandle.standardError.write(Data("  \(field.field): \(field.detail)\n".utf8)) }
                }
                throw ExitCode(2)
            }
            FileHandle.standardError.write(Data("\n".utf8))
            print("\(dryRun ? "dry run: would import" : "imported") \(report.imported) of \(report.rows) rows; "
                  + "\(report.duplicates) already registered, \(report.invalid) invalid (import \(report.importID.uuidString.lowercased()))")
            for error in report.errors { print("line \(error.line), \(error.column): \(error.reason)") }
            if report.flagged > 0 { print("\(report.flagged) rows flagged for review (not matching the reference table of makes and models):") }
            for warning in report.warnings { print("line \(warning.line), \(warning.field): warning: \(warning.text)") }
            if report.warningsTruncated { print("… more warnings than shown (\(ImportReport.maximumErrors) listed)") }
            if report.errorsTruncated { print("… more invalid rows than shown (\(ImportReport.maximumErrors) listed)") }
            if report.invalid > 0 { throw ExitCode(1) }
        }
    }
}

/// A file read in 256 KiB chunks, as an async sequence.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let handle: FileHandle

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        mutating func next() async throws -> [UInt8]? {
            guard let data = try handle.read(upToCount: 256 * 1024), !data.isEmpty else { return nil }
            return [UInt8](data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}
