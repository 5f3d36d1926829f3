/// A parameter or a column value. Text columns come back as `.bytes`; read them with `Row.string(_:)`.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
    case bytes([UInt8])
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLValue {
    public init(_ value: Int) { self = .int(Int64(value)) }
    public init(_ value: Bool) { self = .int(value ? 1 : 0) }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}
