/// One result row, columns in the order the query selected them. The `required…` readers
/// throw instead of trapping when a column is missing, NULL or of another type, so a schema
/// that differs from what the code expects fails one request, not the process.
public struct Row: Sendable {
    public let values: [SQLValue]

    public init(_ values: [SQLValue]) {
        self.values = values
    }

    private func value(_ column: Int) -> SQLValue {
        column < values.count ? values[column] : .null
    }

    public func isNull(_ column: Int) -> Bool { value(column) == .null }

    public func int(_ column: Int) -> Int64? {
        switch value(column) {
        case .int(let value): return value
        case .bytes(let bytes): return Int64(String(decoding: bytes, as: UTF8.self))
        case .text(let text): return Int64(text)
        case .null: return nil
        }
    }

    public func bool(_ column: Int) -> Bool { (int(column) ?? 0) != 0 }

    public func string(_ column: Int) -> String? {
        switch value(column) {
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .text(let text): return text
        case .int(let value): return String(value)
        case .null: return nil
        }
    }

    public func bytes(_ column: Int) -> [UInt8]? {
        switch value(column) {
        case .bytes(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        case .int(let value): return Array(String(value).utf8)
        case .null: return nil
        }
    }

    public func requiredInt(_ column: Int) throws -> Int64 {
        guard let value = int(column) else { throw unexpected(column, "an integer") }
        return value
    }

    public func requiredString(_ column: Int) throws -> String {
        guard let value = string(column) else { throw unexpected(column, "a value") }
        return value
    }

    public func requiredBytes(_ column: Int) throws -> [UInt8] {
        guard let value = bytes(column) else { throw unexpected(column, "a value") }
        return value
    }

    private func unexpected(_ column: Int, _ expected: String) -> MariaDBError {
        MariaDBError(code: MariaDBError.unexpectedRowCode, message: "column \(column) of a \(values.count)-column row is not \(expected)")
    }
}
