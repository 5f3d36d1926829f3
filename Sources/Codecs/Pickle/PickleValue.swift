/// A Python value read from a pickle by `PickleReader`: plain data only. Whatever the pickle
/// built from a class (a `datetime`, a `Decimal`) is `opaque`, named but never looked up.
public indirect enum PickleValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int64)
    /// An int beyond 64 bits: its little-endian two's-complement bytes, as pickle stores them.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// `set` and `frozenset`, in the pickle's order.
    case set([PickleValue])
    /// Keys of any kind, in insertion order.
    case dict([Pair])
    /// An object made from the class or function `module.name`; its state is not kept.
    case opaque(String)

    public struct Pair: Sendable, Equatable {
        public let key: PickleValue
        public let value: PickleValue

        public init(key: PickleValue, value: PickleValue) {
            self.key = key
            self.value = value
        }
    }

    /// The value under the string `key` of a dict.
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let pairs) = self else { return nil }
        return pairs.last { $0.key == .string(key) }?.value
    }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension PickleValue: CustomStringConvertible {
    /// Close to Python's `repr`: `Tests/CodecsTests/Fixtures/make_pickle_vectors.py` renders the
    /// originals the same way, so the two can be compared as text.
    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return String(value)
        case .bigInt(let bytes): return "int(0x\(Hex.encode(bytes.reversed())))"
        case .float(let value): return "\(value)"
        case .string(let text): return Self.quoted(text)
        case .bytes(let bytes): return "b'\(Hex.encode(bytes))'"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map(\.description).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .set(let items): return "{" + items.map(\.description).joined(separator: ", ") + "}"
        case .dict(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .opaque(let name): return "<\(name)>"
        }
    }

    /// A string in double quotes, with `"`, `\` and control characters escaped as `\uXXXX`.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" {
                out += "\\" + String(scalar)
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = Hex.encode([UInt8(0), UInt8(scalar.value)])
                out += "\\u" + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
