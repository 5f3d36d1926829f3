import Processes
import Service
import Settings
import Store

/// What every command does first: read the settings (one clear line and exit 1 if one is bad)
/// and set up logging; and the one way a command opens the database.
enum Startup {
    /// The settings from the environment; a child of `serve` also reads the secrets its
    /// supervisor handed over on `Supervisor.secretsFD` (they are not in its environment).
    /// `role`: a child reads the settings of its role only (`Settings.init`).
    static func settings(fromSupervisor: Bool = false, role: ProcessRole? = nil, status: Int32 = 1) -> Settings {
        do {
            let secrets = fromSupervisor ? try SecretRequest.receive(from: FileDescriptor(rawValue: Supervisor.secretsFD)) : [:]
            let settings = try Settings(Environment.current(secrets: secrets), role: role)
            LineLogHandler.bootstrap(level: settings.logLevel, format: settings.logFormat)
            return settings
        } catch {
            fail("\(error)", status: status)
        }
    }

    /// What a read-only command reads (`InspectionSettings`): neither SECRET_KEY nor the
    /// service's system user need exist for an operator to look.
    static func inspectionSettings() -> InspectionSettings {
        do {
            let settings = try InspectionSettings(Environment.current())
            LineLogHandler.bootstrap(level: settings.logLevel, format: settings.logFormat)
            return settings
        } catch {
            fail("\(error)")
        }
    }

    /// For a child of `serve`: end with the supervisor, never outlive it, and keep other
    /// processes of the same user out of its memory.
    static func followSupervisor() {
        Signals.ignoreHangups()
        do {
            try CurrentProcess.forbidInspection()
        } catch {
            fail("\(error)", status: Supervisor.configurationErrorStatus)
        }
        if let parent = SystemEnvironment.variables()[Supervisor.parentVariable].flatMap({ Int32($0) }) {
            ChildProcess.followParent(parent)
        }
    }

    /// The one way a command opens the database the settings name.
    static func database(_ settings: DatabaseSettings) -> Database {
        Database.prepareProcess()
        return Database(settings)
    }

    /// Runs `work` against that database, failing with one clear line.
    static func withDatabase<T>(_ settings: DatabaseSettings, _ work: (Link) throws -> T) -> T {
        do {
            return try database(settings).run(work)
        } catch {
            fail("\(error)")
        }
    }

    static func fail(_ message: String, status: Int32 = 1) -> Never {
        printError("meiduo-email: \(message)\n")
        CurrentProcess.exit(status)
    }

    static func printError(_ text: String) {
        FileDescriptor.standardError.write(Array(text.utf8))
    }
}

/// A child's side of the hand-over of its secret settings.
enum SecretRequest {
    /// Asks for them (this process is non-dumpable by now: `followSupervisor`) and reads them.
    static func receive(from socket: FileDescriptor) throws -> [String: String] {
        defer { socket.close() }
        guard socket.write([Supervisor.secretsRequest]) else { throw SystemError("asking the supervisor for the settings") }
        return SecretHandover.decode(try socket.readAll())
    }
}
