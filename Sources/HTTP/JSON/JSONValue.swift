public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as written; read it with `integer`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as an integer, if it is a number without fraction or exponent that fits in 64 bits.
    public var integer: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }
}
