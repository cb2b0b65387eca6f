import Accounts
import ArgumentParser
import Foundation
import IFCCore
import IFCHTTP
import IFCServer
import IFCStore
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending Schema/ migrations and exit.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let config = try await common.load()
        let logger = Logs.bootstrap(serve: false, config: config)
        do {
            let status = try await withStore(config, logger: logger) { runtime in
                try await runtime.database.withConnection {
                    try await Migrator(migrations: try Migration.bundled(), logger: logger).status(on: $0)
                }
            }
            print("ok: \(status.applied) migrations applied, none pending")
        } catch {
            FileHandle.standardError.write(Data("ifcd migrate: \(describe(error))\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; the password is read from standard input.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The login name.") var name: String
        @Option(name: .customLong("role"), help: "A role (admin, clerk, analyst, examiner, liaison, auditor); repeat for several.")
        var roles: [String] = []
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Option(help: "The person's name as shown to others.") var displayName: String?
        @Option(help: "The most sensitive cases and traces the user may see: standard (the default), restricted, confidential or secret.")
        var clearance: String = "standard"

        func run() async throws {
            let config = try await common.load()
            let logger = Logs.bootstrap(serve: false, config: config)
            guard let level = Clearance(rawValue: clearance) else {
                throw ValidationError("the clearance is one of \(Clearance.values.joined(separator: ", "))")
            }
            guard passwordStdin else { throw ValidationError("pass the password on standard input with --password-stdin") }
            guard let username = Username(name) else {
                throw ValidationError("the name must be 3 to 64 of letters, digits, '.', '_', '-', starting with a letter")
            }
            guard !roles.isEmpty else { throw ValidationError("give at least one --role") }
            guard case .success(let roleSet) = Role.parse(roles) else {
                throw ValidationError("roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no password on standard input")
            }
            if let reason = PasswordPolicy.problem(with: line) { throw ValidationError("the password \(reason)") }
            do {
                let user = try await withStore(config, logger: logger) { runtime in
                    let accounts = Accounts(database: runtime.database, audit: nil,
                                            hasher: PasswordHasher(cost: UInt8(config.bcryptCost)), environment: .live)
                    return try await accounts.createUser(.init(username: username, password: line, roles: roleSet, displayName: displayName,
                                                                     clearance: level),
                                                         by: cliPrincipal, requestID: nil)
                }
                print("created user \(user.username) (\(user.id.uuidString.lowercased())) with roles \(user.roles.map(\.rawValue).joined(separator: ", ")), clearance \(user.clearance.rawValue)")
            } catch let problem as Problem where problem.status == 409 {
                FileHandle.standardError.write(Data("ifcd user add: \(problem.detail)\n".utf8))
                throw ExitCode(3)
            } catch {
                FileHandle.standardError.write(Data("ifcd user add: \(describe(error))\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users with their roles.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let config = try await common.load()
            let logger = Logs.bootstrap(serve: false, config: config)
            do {
                let lines = try await withStore(config, logger: logger) { runtime in
                    let accounts = Accounts(database: runtime.database, audit: nil, hasher: PasswordHasher(cost: 4), environment: .live)
                    var lines: [String] = []
                    var page = PageRequest(limit: 500)
                    while true {
                        let result = try await accounts.users(page: page, role: nil, disabled: nil, by: cliPrincipal, requestID: nil)
                        lines += result.items.map { "\($0.username)\t\($0.roles.map(\.rawValue).joined(separator: ","))\t\($0.disabled ? "disabled" : "enabled")" }
                        guard let next = result.nextCursor, let after = Cursor.decode(next) else { break }
                        page.after = after
                    }
                    return lines
                }
                lines.forEach { print($0) }
            } catch {
                FileHandle.standardError.write(Data("ifcd user list: \(describe(error))\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage bearer tokens.", subcommands: [Issue.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token for a user; prints the token alone on stdout.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The user's login name.") var name: String
        @Option(help: "Lifetime: 90s, 30m, 8h, 7d (at most 90d).") var ttl: String = "8h"

        func run() async throws {
            let config = try await common.load()
            let logger = Logs.bootstrap(serve: false, config: config)
            guard let seconds = parseDuration(ttl) else { throw ValidationError("--ttl must look like 30m, 8h or 7d") }
            do {
                let issued = try await withStore(config, logger: logger) { runtime in
                    let accounts = Accounts(database: runtime.database, audit: nil, hasher: PasswordHasher(cost: 4), environment: .live)
                    return try await accounts.issueToken(username: name, ttl: seconds, by: cliPrincipal)
                }
                print(issued.token)
            } catch {
                FileHandle.standardError.write(Data("ifcd token issue: \(describe(error))\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit trail.",
                                                    subcommands: [Verify.self, Checkpoint.self])

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Signed checkpoints of the chain's head.", subcommands: [Export.self])

        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the latest signed checkpoint (JSON) that serve wrote, to keep apart from this machine.")
            @OptionGroup var common: CommonOptions

            func run() async throws {
                let config = try await common.load()
                let url = config.checkpointFiles.latestURL
                guard let data = FileManager.default.contents(atPath: url.path), (try? AuditCheckpoint.parse(data)) != nil else {
                    FileHandle.standardError.write(Data("ifcd audit checkpoint export: no checkpoint at \(url.path) (serve writes one a minute)\n".utf8))
                    throw ExitCode(1)
                }
                FileHandle.standardOutput.write(data)
                print("")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain: exit 0 with 'ok N entries', or 1 naming every break found.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Report entries left unsealed longer than this (90s, 15m, 1h).") var maxUnsealedAge: String?
        @Option(help: "A signed checkpoint (from 'audit checkpoint export') the trail must still reach.") var checkpoint: String?
        @Option(help: "The checkpoint public key (default: keys/checkpoint.pub of the data folder).") var publicKey: String?

        func run() async throws {
            let config = try await common.load()
            let logger = Logs.bootstrap(serve: false, config: config)
            let age = try maxUnsealedAge.map { text in
                guard let value = parseDuration(text) else { throw ValidationError("--max-unsealed-age must look like 15m") }
                return value
            } ?? config.auditMaxUnsealedSeconds
            // A checkpoint is read and its signature checked first: a forged one proves nothing.
            var signed: AuditCheckpoint?
            if let checkpoint {
                let keyURL = publicKey.map { URL(fileURLWithPath: $0) } ?? config.checkpointFiles.publicKeyURL
                do {
                    guard let data = FileManager.default.contents(atPath: checkpoint) else { throw CheckpointError("cannot read \(checkpoint)") }
                    let parsed = try AuditCheckpoint.parse(data)
                    guard parsed.isSigned(by: try CheckpointFiles.publicKey(at: keyURL)) else {
                        throw CheckpointError("\(checkpoint) is not signed by the key in \(keyURL.path)")
                    }
                    signed = parsed
                } catch {
                    FileHandle.standardError.write(Data("ifcd audit verify: \(describe(error))\n".utf8))
                    throw ExitCode(2)
                }
            }
            let report: AuditVerifier.Report
            var checkpointProblem: String?
            let reached = signed
            do {
                (report, checkpointProblem) = try await withStore(config, logger: logger) { runtime in
                    let start = ContinuousClock.now
                    let report = try await AuditVerifier(key: try config.sealKey(create: false), maxUnsealedAge: age, logger: logger)
                        .verify(database: runtime.database, workers: max(2, ProcessInfo.processInfo.activeProcessorCount))
                    let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
                    logger.notice("verified", metadata: ["entries": "\(report.sealed)", "seconds": "\(seconds)"])
                    let problem = try await reached.asyncMap { checkpoint in
                        try await runtime.database.withConnection { try await checkpoint.problem(on: $0, logger: logger) }
                    } ?? nil
                    return (report, problem)
                }
            } catch {
                FileHandle.standardError.write(Data("ifcd audit verify: \(describe(error))\n".utf8))
                throw ExitCode(2)
            }
            // Every break found is reported, the chain's and the checkpoint's.
            if report.ok && checkpointProblem == nil {
                print(report.summary + (signed.map { ", reaching checkpoint position \($0.position)" } ?? ""))
                return
            }
            if !report.ok { print(report.summary) }
            if let checkpointProblem { print("broken: \(checkpointProblem)") }
            throw ExitCode(1)
        }
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Demo data.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fill an empty database with a small, plausible sample from every module.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let config = try await common.load()
            let logger = Logs.bootstrap(serve: false, config: config)
            do {
                let seeded = try await withStore(config, logger: logger) { runtime in
                    try await seedDemo(database: runtime.database, config: config, principal: cliPrincipal, logger: logger)
                }
                print("seeded: \(seeded.isEmpty ? "no module has demo data yet" : seeded.joined(separator: ", "))")
            } catch {
                FileHandle.standardError.write(Data("ifcd demo seed: \(describe(error))\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
