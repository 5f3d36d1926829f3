/// What one metric is: its name, its help text, its type and the names of its labels. Each is
/// described once (`MetricCatalogue`); the handles that record it, the exposition's help texts
/// and histogram buckets, and the readers of a scrape all take it from there.
public struct MetricDescription: Sendable {
    public enum Kind: Sendable {
        case counter
        case gauge
        /// Durations, with the upper bounds of their buckets.
        case histogram(buckets: [Duration])
    }

    public let name: String
    public let help: String
    public let kind: Kind
    public let labels: [String]

    public init(_ name: String, _ kind: Kind, labels: [String] = [], help: String) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
    }

    /// The series as the text format writes it, for reading one back from a scrape.
    public func series(_ values: [String]) -> String {
        guard !labels.isEmpty else { return name }
        return name + "{" + zip(labels, values).map { "\($0)=\"\($1)\"" }.joined(separator: ",") + "}"
    }
}
