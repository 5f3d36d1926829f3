import Glibc

/// Reads settings from environment variables, turning every bad value into one clear line.
public struct Environment: Sendable {
    public struct Problem: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    private let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The process environment.
    public static func current() -> Environment {
        var values: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                values[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return Environment(values)
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
        guard let value = Double(text), range.contains(value) else {
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
}
