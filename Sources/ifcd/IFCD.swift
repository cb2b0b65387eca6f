import ArgumentParser
import Foundation
import IFCServer

@main
struct IFCD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ifcd",
        abstract: "The national records system of an Integrated Firearms Centre.",
        version: ifcdVersion,
        subcommands: [Serve.self, Migrate.self, UserCommand.self, TokenCommand.self, AuditCommand.self, DemoCommand.self, ImportCommand.self])
}
