import Foundation
import IFCCore
import IFCHTTP
import IFCStore
import Logging
import PostgresNIO
import RegistryAPI

/// Imports firearms from CSV as it streams in: a header row naming the columns, then one
/// firearm per row. Valid rows are written in batches (one transaction per batch, with its
/// audit entry and the records' first versions); rows already in the registry are counted as
/// duplicates and skipped, so a re-run of the same file adds nothing.
public struct FirearmImport: Sendable {
    public static let columns = ["make", "model", "type", "calibre", "serial", "other_markings", "country_of_manufacture",
                                 "year_of_manufacture", "import_country", "import_year", "importer", "barrel_length_mm",
                                 "action", "notes"]
    static let required: Set<String> = ["make", "type", "calibre", "serial"]

    let database: Database
    let principal: Principal
    let requestID: String?
    let dryRun: Bool
    let batchSize: Int
    let currentYear: Int
    let now: Date
    let logger: Logger
    /// Each row is compared with it; what does not match is imported and flagged for review.
    let makesModels: MakesModels

    public init(database: Database, principal: Principal, requestID: String?, dryRun: Bool, batchSize: Int = 10_000,
                now: Date = Date(), makesModels: MakesModels = .standard, logger: Logger) {
        self.makesModels = makesModels
        self.database = database
        self.principal = principal
        self.requestID = requestID
        self.dryRun = dryRun
        self.batchSize = batchSize
        self.currentYear = CalendarDate(now).year
        self.now = now
        self.logger = logger
    }

    /// Reads `chunks` to the end, each batch committed with its audit entries as it is read (a
    /// re-run after a failure skips what was committed). `progress` is told the counts so far
    /// after each batch.
    public func run<Chunks: AsyncSequence>(_ chunks: Chunks, progress: @Sendable (ImportReport) -> Void = { _ in }) async throws
        -> ImportReport where Chunks.Element == [UInt8]
    {
        let report = try await read(chunks, into: .batches, progress: progress)
        try await database.transaction { connection in try await recordSummary(report, on: connection) }
        return report
    }

    /// Where the rows go.
    enum Target: Sendable {
        /// One transaction per batch, on the app's pool.
        case batches
        /// One connection inside its open transaction, the firearms table's non-unique indexes dropped.
        case initialLoad(PostgresConnection)
    }

    /// Reads and checks every row, sending valid ones to `target` in batches; writes no summary.
    func read<Chunks: AsyncSequence>(_ chunks: Chunks, into target: Target, progress: @Sendable (ImportReport) -> Void) async throws
        -> ImportReport where Chunks.Element == [UInt8]
    {
        var report = ImportReport(importID: UUID(), dryRun: dryRun)
        var reader = CSVReader()
        var header: [String]?
        var batch: [Row] = []
        // One batch is written while the next is read and checked, so that the server's work and
        // ours overlap; at most one is in flight, which bounds memory to two batches.
        var pending: (task: Task<Int, any Error>, rows: Int)?

        func settle() async throws {
            guard let (task, rows) = pending else { return }
            pending = nil
            let new = try await task.value
            report.imported += new
            report.duplicates += rows - new
            progress(report)
        }

        func submit() async throws {
            try await settle()
            let rows = batch, importID = report.importID
            batch.removeAll(keepingCapacity: true)
            pending = (Task { () async throws -> Int in
                switch target {
                case .batches: return try await self.write(rows, importID: importID)
                case .initialLoad(let connection): return try await self.writeInitial(rows, importID: importID, on: connection)
                }
            }, rows.count)
        }

        // The reference-table check depends on make, model, type and calibre only, and a national
        // file repeats few of those: each is checked once (bounded, in case a file repeats none).
        var checked: [[String]: [ReviewWarning]] = [:]
        func warnings(for firearm: FirearmDescription) -> [ReviewWarning] {
            let key = [firearm.make, firearm.model ?? "\u{0}", firearm.type.rawValue, firearm.calibre]
            if let known = checked[key] { return known }
            let found = makesModels.warnings(for: firearm)
            if checked.count >= 50_000 { checked.removeAll(keepingCapacity: true) }
            checked[key] = found
            return found
        }

        func handle(_ record: CSVReader.Record) async throws {
            guard let columns = header else {
                header = try Self.checkHeader(record.fields)
                return
            }
            report.rows += 1
            switch parse(record, columns: columns) {
            case .success(let firearm):
                let warnings = warnings(for: firearm)
                report.add(warnings, line: record.line)
                batch.append(Row(line: record.line, firearm: firearm, flags: Registry.flags(warnings)))
                if batch.count >= batchSize { try await submit() }
            case .failure(let failure):
                report.invalid += 1
                failure.errors.forEach { report.add($0) }
            }
        }

        do {
            do {
                for try await chunk in chunks {
                    for record in try reader.feed(chunk) { try await handle(record) }
                }
                if let last = try reader.finish() { try await handle(last) }
            } catch let failure as CSVReader.Failure {
                throw Self.problem(for: failure)
            }
            guard header != nil else { throw Problem.invalid("body", "the CSV is empty: it needs a header row naming the columns") }
            if !batch.isEmpty { try await submit() }
            try await settle()
        } catch {
            // Nothing of this import runs on after it returns: a batch in flight ends (committed
            // or not, as a batch always does) before the error is reported.
            if let (task, _) = pending { _ = try? await task.value }
            throw error
        }
        return report
    }

    /// The import's own entry. A dry run still tells the caller which firearms exist: a read.
    func recordSummary(_ summary: ImportReport, on connection: PostgresConnection) async throws {
        let (action, counted) = dryRun ? ("firearm.import.dry_run", "new") : ("firearm.import", "imported")
        try await AuditLog.append(AuditEntry(
            principal: principal, action: action, recordType: "import", recordID: summary.importID.uuidString, requestID: requestID,
            detail: "{\"rows\":\(summary.rows),\"\(counted)\":\(summary.imported),\"duplicates\":\(summary.duplicates),\"invalid\":\(summary.invalid)}"),
            on: connection)
    }

    static func problem(for failure: CSVReader.Failure) -> Problem {
        switch failure {
        case .invalidUTF8(let line): Problem.invalid("body", "line \(line) is not valid UTF-8")
        case .unterminatedQuote(let line): Problem.invalid("body", "the quoted field starting on line \(line) never ends")
        case .fieldTooLong(let line): Problem.invalid("body", "a field on line \(line) is longer than 64 KiB")
        case .tooManyFields(let line): Problem.invalid("body", "line \(line) has more than \(CSVReader.maximumFields) fields")
        }
    }

    static func checkHeader(_ fields: [String]) throws(Problem) -> [String] {
        let names = fields.enumerated().map { index, name in
            // A byte-order mark some spreadsheets write before the first name.
            (index == 0 ? String(name.drop(while: { $0 == "\u{FEFF}" })) : name).trimmingCharacters(in: .whitespaces).lowercased()
        }
        var errors: [Problem.FieldError] = []
        for name in names where !columns.contains(name) {
            errors.append(.init(field: name.isEmpty ? "header" : name, detail: "is not a column; columns are \(columns.joined(separator: ", "))"))
        }
        var seen: [String: Int] = [:]
        for name in names { seen[name, default: 0] += 1 }
        for (name, count) in seen.sorted(by: { $0.key < $1.key }) where count > 1 {
            errors.append(.init(field: name, detail: "appears twice in the header"))
        }
        for name in required.sorted() where !names.contains(name) {
            errors.append(.init(field: name, detail: "is a required column"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        return names
    }

    struct RowErrors: Error { var errors: [ImportReport.RowError] }

    /// A valid row on its way to the database.
    struct Row: Sendable {
        var line: Int
        var firearm: FirearmDescription
        var flags: [ReviewFlag]
    }

    func parse(_ record: CSVReader.Record, columns: [String]) -> Result<FirearmDescription, RowErrors> {
        var errors: [ImportReport.RowError] = []
        guard record.fields.count == columns.count else {
            return .failure(RowErrors(errors: [.init(line: record.line, column: "row",
                                                     reason: "has \(record.fields.count) fields where the header names \(columns.count)")]))
        }
        var values: [String: String] = [:]
        var refused: Set<String> = []
        for (name, raw) in zip(columns, record.fields) {
            let value = raw.trimmingCharacters(in: .whitespaces)
            if let refusal = TextRule.refusal(value, field: name) {
                errors.append(.init(line: record.line, column: name, reason: refusal))
                refused.insert(name)
            } else if !value.isEmpty {
                values[name] = value
            }
        }
        for name in Self.required.sorted() where values[name] == nil && !refused.contains(name) {
            errors.append(.init(line: record.line, column: name, reason: "is required"))
        }
        func integer(_ name: String) -> Int? {
            guard let text = values[name] else { return nil }
            guard let value = Int(text) else {
                errors.append(.init(line: record.line, column: name, reason: "must be a whole number"))
                return nil
            }
            return value
        }
        let type = values["type"].flatMap { FirearmType(rawValue: $0.lowercased().replacingOccurrences(of: " ", with: "_")) }
        if values["type"] != nil && type == nil {
            errors.append(.init(line: record.line, column: "type", reason: "must be one of \(FirearmType.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let year = integer("year_of_manufacture"), importYear = integer("import_year"), barrel = integer("barrel_length_mm")
        func country(_ name: String) -> Country? {
            guard let text = values[name] else { return nil }
            guard let country = Country(text.uppercased()) else {
                errors.append(.init(line: record.line, column: name, reason: Country.rule))
                return nil
            }
            return country
        }
        let madeIn = country("country_of_manufacture"), importedTo = country("import_country")
        guard errors.isEmpty, let make = values["make"], let type, let calibre = values["calibre"], let serial = values["serial"] else {
            return .failure(RowErrors(errors: errors))
        }
        let description = FirearmDescription(
            make: make, model: values["model"], type: type, calibre: calibre, serial: serial, otherMarkings: values["other_markings"],
            countryOfManufacture: madeIn, yearOfManufacture: year, importCountry: importedTo, importYear: importYear, importer: values["importer"],
            barrelLengthMM: barrel, action: values["action"], notes: values["notes"])
        let problems = description.problems(currentYear: currentYear)
        guard problems.isEmpty else {
            return .failure(RowErrors(errors: problems.map { ImportReport.RowError(line: record.line, column: $0.field, reason: $0.detail) }))
        }
        return .success(description)
    }

    /// Writes one batch in one transaction: staged with COPY, moved into the registry with the
    /// records' first versions and audit entries (see `insertStaged`), and the batch's own
    /// entry naming its lines. A dry run stages the batch only to count what would be
    /// duplicates, and writes nothing. Returns how many rows were (or would be) new.
    func write(_ batch: [Row], importID: UUID) async throws -> Int {
        if dryRun {
            let duplicates = try await database.transaction { connection in
                try await Self.stage(batch, create: true, on: connection)
                return try await Self.countDuplicates(on: connection)
            }
            return batch.count - duplicates
        }
        let principal = self.principal, requestID = self.requestID
        let firstLine = batch.first?.line ?? 0, lastLine = batch.last?.line ?? 0
        return try await database.transaction { connection -> Int in
            try await Self.stage(batch, create: true, on: connection)
            let count = try await insertStaged(importID: importID, on: connection)
            try await AuditLog.append(AuditEntry(
                principal: principal, action: "firearm.import.batch", recordType: "import", recordID: importID.uuidString,
                requestID: requestID,
                detail: "{\"lines\":[\(firstLine),\(lastLine)],\"rows\":\(batch.count),\"imported\":\(count)}"), on: connection)
            return count
        }
    }
}
