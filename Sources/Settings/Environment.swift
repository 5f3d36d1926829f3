import Processes

/// Reads settings from environment variables, turning every bad value into one clear line.
public struct Environment: Sendable {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    private let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The process environment, plus the secrets a supervisor handed over (which win).
    public static func current(secrets: [String: String] = [:]) -> Environment {
        Environment(SystemEnvironment.variables().merging(secrets) { $1 })
    }

    public func string(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default fallback: String) -> String {
        string(name) ?? fallback
    }

    public func required(_ name: String, _ why: String) throws -> String {
        guard let value = string(name) else { throw Problem(description: "\(name) is not set: \(why)") }
        return value
    }

    public func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem(description: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    public func double(_ name: String, default fallback: Double, range: ClosedRange<Double>) throws -> Double {
        guard let text = string(name) else { return fallback }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw Problem(description: "\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// Django-style booleans: True/False, also 1/0, yes/no, on/off.
    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = string(name) else { return fallback }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw Problem(description: "\(name) must be true or false, not '\(text)'")
        }
    }

    public func octal(_ name: String, default fallback: UInt32) throws -> UInt32 {
        guard let text = string(name) else { return fallback }
        guard let value = UInt32(text, radix: 8), value <= 0o777 else {
            throw Problem(description: "\(name) must be an octal file mode such as 0660, not '\(text)'")
        }
        return value
    }

    /// One of `choices` (keys as written in the environment).
    public func choice<T>(_ name: String, default fallback: T, _ choices: KeyValuePairs<String, T>) throws -> T {
        guard let text = string(name) else { return fallback }
        guard let value = choices.first(where: { $0.key == text })?.value else {
            throw Problem(description: "\(name) must be one of \(choices.map(\.key).joined(separator: ", ")), not '\(text)'")
        }
        return value
    }

    /// A list separated by commas or whitespace; empty items are dropped.
    public func list(_ name: String) -> [String] {
        (string(name) ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
    }

    /// A duration: `30d`, `12h`, `90m`, `3600s`, or plain seconds.
    public func duration(_ name: String, default fallback: Int, minimum: Int) throws -> Int {
        guard let text = string(name) else { return fallback }
        guard let seconds = Self.seconds(text), seconds >= minimum else {
            throw Problem(description: "\(name) must be a duration of at least \(minimum)s such as 30d, 12h, 90m or 3600s, not '\(text)'")
        }
        return seconds
    }

    public static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let last = text.last else { return nil }
        let (number, unit) = units[last].map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard let value = Int(number), value >= 0, value <= Int.max / unit else { return nil }
        return value * unit
    }
}
