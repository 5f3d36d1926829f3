import ArgumentParser

@main
struct MeiduoEmail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meiduo-email",
        abstract: "The Meiduo mall email-verification service: a FastCGI responder behind nginx.",
        subcommands: [Serve.self, Migrate.self, UserCommand.self, OutboxCommand.self, Health.self, ResponderProcess.self, SenderProcess.self])
}
