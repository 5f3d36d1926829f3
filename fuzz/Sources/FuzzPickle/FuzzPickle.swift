import Codecs
import FuzzDriver

/// Any bytes either read as a bounded value or are refused; reading is deterministic, and the
/// value's own rendering never traps.
@main
struct Fuzz {
    static func main() {
        var limits = PickleReader.Limits()
        limits.nodes = 10_000
        fuzz { bytes in
            let first = PickleReader.read(bytes, limits: limits)
            // Compared as text: a NaN read twice is not == to itself.
            precondition("\(PickleReader.read(bytes, limits: limits))" == "\(first)")
            if case .success(let value) = first {
                _ = value.description
                precondition(depth(value) <= limits.depth + 1)
            }
        }
    }

    static func depth(_ value: PickleValue) -> Int {
        switch value {
        case .list(let items), .tuple(let items), .set(let items): return 1 + (items.map(depth).max() ?? 0)
        case .dict(let pairs): return 1 + (pairs.map { max(depth($0.key), depth($0.value)) }.max() ?? 0)
        default: return 1
        }
    }
}
