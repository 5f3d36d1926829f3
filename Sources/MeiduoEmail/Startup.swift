import MariaDB
import Processes
import Service
import Settings
import Store

/// What every command does first: read the settings (one clear line and exit 1 if one is bad)
/// and set up logging; and the one way a command opens the database.
enum Startup {
    /// The settings from the environment; a child of `serve` also reads the secrets its
    /// supervisor handed over on `Supervisor.secretsFD` (they are not in its environment).
    static func settings(fromSupervisor: Bool = false, status: Int32 = 1) -> Settings {
        do {
            let secrets = fromSupervisor ? try SecretHandover.receive(from: FileDescriptor(rawValue: Supervisor.secretsFD)) : [:]
            let settings = try Settings(Environment.current(secrets: secrets))
            LineLogHandler.bootstrap(level: settings.logLevel, format: settings.logFormat)
            return settings
        } catch {
            fail("\(error)", status: status)
        }
    }

    /// For a child of `serve`: end with the supervisor, never outlive it, and keep other
    /// processes of the same user out of its memory.
    static func followSupervisor() {
        CurrentProcess.forbidInspection()
        if let parent = SystemEnvironment.variables()[Supervisor.parentVariable].flatMap({ Int32($0) }) {
            ChildProcess.followParent(parent)
        }
    }

    /// The one way a command opens the database the settings name.
    static func database(_ settings: Settings) -> Database {
        MariaDBLibrary.initialize()
        return Database(settings.database)
    }

    /// Runs `work` against that database, failing with one clear line.
    static func withDatabase<T>(_ settings: Settings, _ work: (Connection) throws -> T) -> T {
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

/// The secret settings, from a supervisor to its children through a pipe: `NAME=value` items
/// separated by NUL bytes (which no environment value can hold).
enum SecretHandover {
    static func encode(_ variables: [String: String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for name in Settings.secretVariables {
            guard let value = variables[name] else { continue }
            bytes += Array("\(name)=\(value)".utf8) + [0]
        }
        return bytes
    }

    static func receive(from pipe: FileDescriptor) throws -> [String: String] {
        defer { pipe.close() }
        var secrets: [String: String] = [:]
        for item in try pipe.readAll().split(separator: 0) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            secrets[String(decoding: item[..<equals], as: UTF8.self)] = String(decoding: item[(equals + 1)...], as: UTF8.self)
        }
        return secrets
    }
}
