/// The Prometheus text format, as far as merging the snapshots of several processes needs it:
/// samples of the same series (name and labels, as written) are summed, each family keeps one
/// `# TYPE` line, and `# HELP` lines come from the catalogue.
public struct Exposition: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram, summary, untyped
    }

    private struct Family {
        var kind: Kind
        var series: [String] = []
    }

    private var families: [String: Family] = [:]
    private var order: [String] = []
    private var values: [String: Double] = [:]

    public init() {}

    /// Adds every sample of `text`; with `kinds`, only families of those kinds (a dead process's
    /// counters and histograms carry on; its gauges are not the present's).
    public mutating func add(_ text: [UInt8], kinds: Set<Kind>? = nil) {
        var types: [String: Kind] = [:]
        for line in text.split(separator: UInt8(ascii: "\n")) {
            if line.starts(with: Array("# TYPE ".utf8)) {
                let parts = line.dropFirst(7).split(separator: UInt8(ascii: " "))
                if parts.count == 2 {
                    types[String(decoding: parts[0], as: UTF8.self)] = Kind(rawValue: String(decoding: parts[1], as: UTF8.self)) ?? .untyped
                }
                continue
            }
            guard line.first != UInt8(ascii: "#"), let space = line.lastIndex(of: UInt8(ascii: " ")),
                let value = Double(String(decoding: line[(space + 1)...], as: UTF8.self))
            else { continue }
            let series = String(decoding: line[..<space], as: UTF8.self)
            let name = String(series.prefix { $0 != "{" })
            let family = Self.family(of: name, types: types)
            let kind = types[family] ?? .untyped
            if let kinds, !kinds.contains(kind) { continue }
            if families[family] == nil {
                families[family] = Family(kind: kind)
                order.append(family)
            }
            if values[series] == nil {
                families[family]?.series.append(series)
                values[series] = value
            } else {
                values[series]! += value
            }
        }
    }

    /// A histogram's `_bucket`, `_sum` and `_count` samples belong to its family.
    private static func family(of name: String, types: [String: Kind]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == .histogram || types[base] == .summary { return base }
        }
        return name
    }

    /// The merged text: families in the order first seen, `help` before each type line.
    public func rendered(help: [String: String]) -> [UInt8] {
        var out = ""
        for name in order {
            guard let family = families[name] else { continue }
            if let text = help[name] { out += "# HELP \(name) \(text)\n" }
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            for series in family.series {
                out += "\(series) \(Self.format(values[series] ?? 0))\n"
            }
        }
        return Array(out.utf8)
    }

    /// The value of one series, if present (for health checks on the merged figures).
    public func value(_ series: String) -> Double? { values[series] }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
