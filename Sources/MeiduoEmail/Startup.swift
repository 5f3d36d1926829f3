import Glibc
import Processes
import Service
import Settings

/// What every command does first: read the settings (one clear line and exit 1 if one is bad)
/// and set up logging.
enum Startup {
    static func settings() -> Settings {
        do {
            let settings = try Settings(Environment.current())
            LineLogHandler.bootstrap(level: settings.logLevel)
            return settings
        } catch {
            fail("\(error)")
        }
    }

    /// For a child of `serve`: end with the supervisor, never outlive it.
    static func followSupervisor() {
        if let parent = getenv(Supervisor.parentVariable).flatMap({ pid_t(String(cString: $0)) }) {
            ChildProcess.followParent(parent)
        }
    }

    static func fail(_ message: String, status: Int32 = 1) -> Never {
        printError("meiduo-email: \(message)\n")
        exit(status)
    }

    static func printError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
