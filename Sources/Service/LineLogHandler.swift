import HTTP
import Logging
import Processes
import Settings

/// One line per event on standard error, written with a single write(2) so lines from the
/// supervisor and its children never interleave. As text:
/// `2026-11-25T09:00:55Z info responder[4242]: responder ready threads=8`; or, with
/// MEIDUO_LOG_FORMAT=json, one JSON object per line with the same fields.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: LogFormat

    public init(label: String, level: Logger.Level, format: LogFormat) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }
        let time = Clock.unixTime()
        var line: [UInt8]
        switch format {
        case .line:
            var text = "\(Clock.iso8601(time)) \(event.level) \(label)[\(CurrentProcess.id)]: \(event.message)"
            for (key, value) in merged { text += " \(key)=\(value)" }
            line = Array(text.utf8)
        case .json:
            let fields: [(String, JSONWriter.Scalar)] = [
                ("time", .string(Clock.iso8601(time, milliseconds: true))), ("level", .string(event.level.rawValue)),
                ("logger", .string(label)), ("pid", .int(Int64(CurrentProcess.id))), ("message", .string("\(event.message)")),
            ]
            line = JSONWriter.object(fields + merged.map { ($0.key, .string("\($0.value)")) })
        }
        line.append(0x0A)
        FileDescriptor.standardError.write(line)
    }

    /// Installs this handler for every logger in the process.
    public static func bootstrap(level: LogLevel, format: LogFormat) {
        let level: Logger.Level =
            switch level {
            case .debug: .debug
            case .info: .info
            case .warning: .warning
            case .error: .error
            }
        LoggingSystem.bootstrap { LineLogHandler(label: $0, level: level, format: format) }
    }
}
