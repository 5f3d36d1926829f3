import Logging
import Processes
import Settings

/// One line per event on standard error, written with a single write(2) so lines from the
/// supervisor and its children never interleave:
/// `2026-11-25T09:00:55Z info responder[4242]: responder ready threads=8`.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(Clock.iso8601(Clock.unixTime())) \(event.level) \(label)[\(CurrentProcess.id)]: \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += "\n"
        FileDescriptor.standardError.write(Array(line.utf8))
    }

    /// Installs this handler for every logger in the process.
    public static func bootstrap(level: LogLevel) {
        let level: Logger.Level = switch level {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
        LoggingSystem.bootstrap { LineLogHandler(label: $0, level: level) }
    }
}
