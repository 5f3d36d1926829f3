/// One result row, columns in the order the query selected them.
public struct Row: Sendable {
    public let values: [SQLValue]

    public init(_ values: [SQLValue]) {
        self.values = values
    }

    public func isNull(_ column: Int) -> Bool { values[column] == .null }

    public func int(_ column: Int) -> Int64? {
        switch values[column] {
        case .int(let value): return value
        case .bytes(let bytes): return Int64(String(decoding: bytes, as: UTF8.self))
        case .text(let text): return Int64(text)
        case .null: return nil
        }
    }

    public func bool(_ column: Int) -> Bool { (int(column) ?? 0) != 0 }

    public func string(_ column: Int) -> String? {
        switch values[column] {
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .text(let text): return text
        case .int(let value): return String(value)
        case .null: return nil
        }
    }

    public func bytes(_ column: Int) -> [UInt8]? {
        switch values[column] {
        case .bytes(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        case .int(let value): return Array(String(value).utf8)
        case .null: return nil
        }
    }
}
