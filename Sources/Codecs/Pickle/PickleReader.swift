/// Reads Python pickles (protocols 2 to 5) as plain data, running nothing: the opcodes that
/// build dicts, lists, tuples, sets, strings, bytes, numbers, booleans and None, the memo and
/// frames. A class or function reference (`GLOBAL`, `STACK_GLOBAL`) is only a name: applying it
/// (`REDUCE`, `NEWOBJ`, `BUILD`) gives an opaque value, except for the few that pickle itself
/// uses to spell data in protocol 2 (`set`, `frozenset`, `_codecs.encode` for bytes). Names that
/// only an attack would use (`os.system`, `builtins.eval`, …) refuse the pickle.
///
/// Every length is checked against the bytes that are left before anything is allocated, and
/// the value handed back is bounded in depth and in size (memo references that repeat a
/// container count each time), so a hostile pickle costs at most a pass over its own bytes.
public struct PickleReader {
    public struct Limits: Sendable {
        public var depth = 64
        public var nodes = 100_000
        public init() {}
    }

    /// Why a pickle was refused; never carries the pickle's data.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case truncated
        case noProtocol
        case unsupportedProtocol(Int)
        case unsupportedOpcode(UInt8)
        case malformed(String)
        case forbidden(String)
        case tooDeep
        case tooLarge

        public var description: String {
            switch self {
            case .truncated: return "truncated pickle"
            case .noProtocol: return "not a pickle of protocol 2 or later"
            case .unsupportedProtocol(let version): return "pickle protocol \(version) is not read"
            case .unsupportedOpcode(let code): return "pickle opcode 0x\(Hex.encode([code])) is not read"
            case .malformed(let what): return "malformed pickle: \(what)"
            case .forbidden(let name): return "pickle refers to \(name)"
            case .tooDeep: return "pickle nested too deeply"
            case .tooLarge: return "pickle expands to too many values"
            }
        }
    }

    public static func read(_ bytes: [UInt8], limits: Limits = Limits()) -> Result<PickleValue, Refusal> {
        var reader = PickleReader(bytes)
        defer { reader.dismantle() }
        do {
            let top = try reader.run()
            var budget = limits.nodes
            return .success(try freeze(top, depth: limits.depth, budget: &budget))
        } catch let refusal as Refusal {
            return .failure(refusal)
        } catch {
            return .failure(.malformed("\(error)"))
        }
    }

    // MARK: - The machine

    /// Containers stay mutable while the pickle runs: the memo may hand out one that later
    /// opcodes still fill, as Python's unpickler shares the object.
    private final class Container {
        enum Kind { case list, tuple, set, dict }
        let kind: Kind
        /// For a dict, keys and values alternate.
        var items: [Slot]
        init(_ kind: Kind, _ items: [Slot] = []) {
            self.kind = kind
            self.items = items
        }
    }

    private enum Slot {
        case value(PickleValue)
        case container(Container)
        /// A class or function named by `GLOBAL` or `STACK_GLOBAL`.
        case reference(String)
        case mark

        var isMark: Bool {
            if case .mark = self { return true }
            return false
        }
    }

    private let bytes: [UInt8]
    private var position = 0
    private var stack: [Slot] = []
    private var memo: [UInt32: Slot] = [:]
    /// Every container made, so that they can be taken apart without recursion (a chain of a
    /// million nested lists would otherwise be freed by a million nested deinits).
    private var containers: [Container] = []

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func make(_ kind: Container.Kind, _ items: [Slot] = []) -> Slot {
        let container = Container(kind, items)
        containers.append(container)
        return .container(container)
    }

    private mutating func dismantle() {
        stack.removeAll()
        memo.removeAll()
        for container in containers { container.items.removeAll() }
        containers.removeAll()
    }

    private mutating func run() throws -> Slot {
        guard try byte() == 0x80 else { throw Refusal.noProtocol }
        let version = Int(try byte())
        guard (2...5).contains(version) else { throw Refusal.unsupportedProtocol(version) }
        while true {
            let code = try byte()
            switch code {
            case 0x2E: // STOP
                guard stack.count == 1, !stack[0].isMark else { throw Refusal.malformed("stack at STOP") }
                return stack[0]
            case 0x80: // PROTO, again
                let again = Int(try byte())
                guard (2...5).contains(again) else { throw Refusal.unsupportedProtocol(again) }
            case 0x95: // FRAME: a hint for buffered readers; its length must fit what is left
                guard try integer(8) <= UInt64(bytes.count - position) else { throw Refusal.truncated }
            case 0x28: stack.append(.mark) // MARK
            case 0x30: _ = try pop() // POP
            case 0x31: _ = try popToMark() // POP_MARK
            case 0x32: stack.append(try peek()) // DUP
            case 0x4E: stack.append(.value(.none)) // NONE
            case 0x88: stack.append(.value(.bool(true))) // NEWTRUE
            case 0x89: stack.append(.value(.bool(false))) // NEWFALSE
            case 0x4A: stack.append(.value(.int(Int64(Int32(bitPattern: UInt32(try integer(4))))))) // BININT
            case 0x4B: stack.append(.value(.int(Int64(try byte())))) // BININT1
            case 0x4D: stack.append(.value(.int(Int64(try integer(2))))) // BININT2
            case 0x8A: stack.append(.value(Self.long(try take(Int(try byte()))))) // LONG1
            case 0x8B: stack.append(.value(Self.long(try take(try length(4))))) // LONG4
            case 0x47: stack.append(.value(.float(Double(bitPattern: try bigEndian(8))))) // BINFLOAT
            case 0x8C: stack.append(.value(.string(try text(Int(try byte()))))) // SHORT_BINUNICODE
            case 0x58: stack.append(.value(.string(try text(try length(4))))) // BINUNICODE
            case 0x8D: stack.append(.value(.string(try text(try length(8))))) // BINUNICODE8
            case 0x43, 0x55: stack.append(.value(.bytes(try take(Int(try byte()))))) // SHORT_BINBYTES, SHORT_BINSTRING
            case 0x42, 0x54: stack.append(.value(.bytes(try take(try length(4))))) // BINBYTES, BINSTRING
            case 0x8E, 0x96: stack.append(.value(.bytes(try take(try length(8))))) // BINBYTES8, BYTEARRAY8
            case 0x5D: stack.append(make(.list)) // EMPTY_LIST
            case 0x7D: stack.append(make(.dict)) // EMPTY_DICT
            case 0x29: stack.append(make(.tuple)) // EMPTY_TUPLE
            case 0x8F: stack.append(make(.set)) // EMPTY_SET
            case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
                let count = Int(code - 0x84)
                guard stack.count >= count, !stack.suffix(count).contains(where: \.isMark) else { throw Refusal.malformed("TUPLE\(count)") }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                stack.append(make(.tuple, items))
            case 0x74: stack.append(make(.tuple, try popToMark())) // TUPLE
            case 0x6C: stack.append(make(.list, try popToMark())) // LIST
            case 0x64: // DICT
                let items = try popToMark()
                guard items.count % 2 == 0 else { throw Refusal.malformed("DICT with an odd count") }
                stack.append(make(.dict, items))
            case 0x91: stack.append(make(.set, try popToMark())) // FROZENSET
            case 0x61: // APPEND
                let item = try pop()
                try container(.list).items.append(item)
            case 0x65: // APPENDS
                let items = try popToMark()
                try container(.list).items += items
            case 0x90: // ADDITEMS
                let items = try popToMark()
                try container(.set).items += items
            case 0x73: // SETITEM
                let value = try pop(), key = try pop()
                try container(.dict).items += [key, value]
            case 0x75: // SETITEMS
                let items = try popToMark()
                guard items.count % 2 == 0 else { throw Refusal.malformed("SETITEMS with an odd count") }
                try container(.dict).items += items
            case 0x94: memo[UInt32(memo.count)] = try peek() // MEMOIZE
            case 0x71: memo[UInt32(try byte())] = try peek() // BINPUT
            case 0x72: memo[UInt32(try integer(4))] = try peek() // LONG_BINPUT
            case 0x68: stack.append(try recall(UInt32(try byte()))) // BINGET
            case 0x6A: stack.append(try recall(UInt32(try integer(4)))) // LONG_BINGET
            case 0x63: // GLOBAL
                let module = try line(), name = try line()
                stack.append(.reference(try Self.reference(module, name)))
            case 0x93: // STACK_GLOBAL
                guard case .value(.string(let name)) = try pop(), case .value(.string(let module)) = try pop() else {
                    throw Refusal.malformed("STACK_GLOBAL without two strings")
                }
                stack.append(.reference(try Self.reference(module, name)))
            case 0x52: // REDUCE
                let arguments = try pop()
                guard case .reference(let callable) = try pop() else { throw Refusal.malformed("REDUCE of a value") }
                stack.append(try apply(callable, arguments))
            case 0x81: // NEWOBJ
                _ = try pop()
                guard case .reference(let type) = try pop() else { throw Refusal.malformed("NEWOBJ of a value") }
                stack.append(.value(.opaque(type)))
            case 0x92: // NEWOBJ_EX
                _ = try pop()
                _ = try pop()
                guard case .reference(let type) = try pop() else { throw Refusal.malformed("NEWOBJ_EX of a value") }
                stack.append(.value(.opaque(type)))
            case 0x62: // BUILD: the state of an opaque object, dropped
                _ = try pop()
                guard case .value(.opaque) = try peek() else { throw Refusal.malformed("BUILD on a value") }
            default:
                // Protocol 0/1 text opcodes, persistent ids, extensions, out-of-band buffers.
                throw Refusal.unsupportedOpcode(code)
            }
        }
    }

    // MARK: - Reading bytes

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Refusal.truncated }
        defer { position += 1 }
        return bytes[position]
    }

    /// A little-endian unsigned integer of `count` bytes.
    private mutating func integer(_ count: Int) throws -> UInt64 {
        guard bytes.count - position >= count else { throw Refusal.truncated }
        var value: UInt64 = 0
        for index in (0..<count).reversed() { value = value << 8 | UInt64(bytes[position + index]) }
        position += count
        return value
    }

    private mutating func bigEndian(_ count: Int) throws -> UInt64 {
        guard bytes.count - position >= count else { throw Refusal.truncated }
        var value: UInt64 = 0
        for index in 0..<count { value = value << 8 | UInt64(bytes[position + index]) }
        position += count
        return value
    }

    /// A length field, checked against what is left before anything that size is made.
    private mutating func length(_ size: Int) throws -> Int {
        let claimed = try integer(size)
        guard claimed <= UInt64(bytes.count - position) else { throw Refusal.truncated }
        return Int(claimed)
    }

    private mutating func take(_ count: Int) throws -> [UInt8] {
        guard bytes.count - position >= count else { throw Refusal.truncated }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    private mutating func text(_ count: Int) throws -> String {
        guard let text = String(validating: try take(count), as: UTF8.self) else { throw Refusal.malformed("invalid UTF-8") }
        return text
    }

    /// A `GLOBAL` argument: printable ASCII up to a newline.
    private mutating func line() throws -> String {
        var out: [UInt8] = []
        while true {
            let next = try byte()
            if next == 0x0A { break }
            guard next > 0x20, next < 0x7F, out.count < 256 else { throw Refusal.malformed("GLOBAL name") }
            out.append(next)
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - The stack

    private mutating func pop() throws -> Slot {
        guard let top = stack.popLast(), !top.isMark else { throw Refusal.malformed("stack underflow") }
        return top
    }

    private func peek() throws -> Slot {
        guard let top = stack.last, !top.isMark else { throw Refusal.malformed("stack underflow") }
        return top
    }

    private mutating func popToMark() throws -> [Slot] {
        guard let mark = stack.lastIndex(where: \.isMark) else { throw Refusal.malformed("no MARK") }
        let items = Array(stack[(mark + 1)...])
        stack.removeSubrange(mark...)
        return items
    }

    /// The container on top of the stack, which must be of `kind`.
    private func container(_ kind: Container.Kind) throws -> Container {
        guard case .container(let container) = try peek(), container.kind == kind else {
            throw Refusal.malformed("not a \(kind) to add to")
        }
        return container
    }

    private func recall(_ index: UInt32) throws -> Slot {
        guard let slot = memo[index] else { throw Refusal.malformed("memo \(index) unset") }
        return slot
    }

    // MARK: - Names and what applying them gives

    /// Modules whose names no session data needs, and that an attack uses to run something.
    private static let forbiddenModules: Set<String> = [
        "os", "posix", "nt", "subprocess", "sys", "importlib", "runpy", "pty", "socket", "ctypes", "shutil",
        "pickle", "_pickle", "marshal", "code", "codeop", "commands", "webbrowser", "multiprocessing", "signal",
        "io", "_io", "posixpath", "ntpath", "platform", "tempfile", "glob", "threading", "_thread", "operator",
        "functools", "types", "inspect", "gc", "timeit", "pdb", "bdb", "trace", "asyncio", "http", "urllib",
    ]
    /// The builtins that pickles use for data, and `getattr`, which Python pickles a bound class
    /// method with (`ZoneInfo._unpickle`); every other one (`eval`, `exec`, `open`,
    /// `__import__`, …) is refused.
    private static let dataBuiltins: Set<String> = [
        "set", "frozenset", "bytearray", "bytes", "complex", "slice", "range", "object", "int", "float", "str",
        "list", "dict", "tuple", "bool", "getattr",
    ]

    private static func reference(_ module: String, _ name: String) throws -> String {
        let full = "\(module).\(name)"
        let root = String(module.split(separator: ".").first ?? "")
        if forbiddenModules.contains(root) { throw Refusal.forbidden(full) }
        if module == "builtins" || module == "__builtin__" {
            guard dataBuiltins.contains(name) else { throw Refusal.forbidden(full) }
        }
        // Dunder attributes (`__import__`, `__class__`, `__reduce__`) are how a pickle reaches code.
        if name.split(separator: ".").contains(where: { $0.hasPrefix("__") }) { throw Refusal.forbidden(full) }
        return full
    }

    /// `callable(*arguments)`, without calling anything: the spellings of data that protocol 2
    /// uses become that data, `getattr` of a reference a longer reference, everything else an
    /// opaque value.
    private mutating func apply(_ callable: String, _ arguments: Slot) throws -> Slot {
        guard case .container(let tuple) = arguments, tuple.kind == .tuple else { return .value(.opaque(callable)) }
        switch callable {
        case "builtins.getattr", "__builtin__.getattr":
            guard tuple.items.count == 2, case .reference(let base) = tuple.items[0], case .value(.string(let name)) = tuple.items[1] else {
                throw Refusal.forbidden(callable)
            }
            guard !name.hasPrefix("__") else { throw Refusal.forbidden("\(base).\(name)") }
            return .reference("\(base).\(name)")
        case "builtins.set", "__builtin__.set", "builtins.frozenset", "__builtin__.frozenset":
            if tuple.items.isEmpty { return make(.set) }
            if tuple.items.count == 1, case .container(let list) = tuple.items[0], list.kind == .list {
                return make(.set, list.items)
            }
        case "builtins.bytes", "__builtin__.bytes", "builtins.bytearray", "__builtin__.bytearray":
            if tuple.items.isEmpty { return .value(.bytes([])) }
            if tuple.items.count == 1, case .value(.bytes(let bytes)) = tuple.items[0] { return .value(.bytes(bytes)) }
            if tuple.items.count == 2, case .value(.string(let text)) = tuple.items[0], let bytes = Self.latin1(text, tuple.items[1]) {
                return .value(.bytes(bytes))
            }
        case "_codecs.encode":
            if tuple.items.count == 2, case .value(.string(let text)) = tuple.items[0], let bytes = Self.latin1(text, tuple.items[1]) {
                return .value(.bytes(bytes))
            }
        default:
            break
        }
        return .value(.opaque(callable))
    }

    /// `text.encode(encoding)` where the encoding is Latin-1, as protocol 2 spells bytes.
    private static func latin1(_ text: String, _ encoding: Slot) -> [UInt8]? {
        guard case .value(.string(let name)) = encoding, name == "latin1" || name == "latin-1",
            text.unicodeScalars.allSatisfy({ $0.value <= 0xFF })
        else { return nil }
        return text.unicodeScalars.map { UInt8($0.value) }
    }

    private static func long(_ bytes: [UInt8]) -> PickleValue {
        guard !bytes.isEmpty else { return .int(0) }
        guard bytes.count <= 8 else { return .bigInt(bytes) }
        var value: UInt64 = bytes.last! & 0x80 == 0 ? 0 : UInt64.max
        for byte in bytes.reversed() { value = value << 8 | UInt64(byte) }
        return .int(Int64(bitPattern: value))
    }

    // MARK: - The finished value

    private static func freeze(_ slot: Slot, depth: Int, budget: inout Int) throws -> PickleValue {
        budget -= 1
        guard budget >= 0 else { throw Refusal.tooLarge }
        switch slot {
        case .value(let value):
            return value
        case .reference(let name):
            return .opaque(name)
        case .mark:
            throw Refusal.malformed("a MARK left on the stack")
        case .container(let container):
            guard depth > 0 else { throw Refusal.tooDeep }
            let items = try container.items.map { try freeze($0, depth: depth - 1, budget: &budget) }
            switch container.kind {
            case .list: return .list(items)
            case .tuple: return .tuple(items)
            case .set: return .set(items)
            case .dict:
                return .dict(stride(from: 0, to: items.count, by: 2).map { PickleValue.Pair(key: items[$0], value: items[$0 + 1]) })
            }
        }
    }
}
