import CoreMetrics

/// The swift-metrics handles made from a description.
public protocol MetricHandle {
    init(label: String, dimensions: [(String, String)])
}

extension Counter: MetricHandle {}
extension Gauge: MetricHandle {}
extension CoreMetrics.Timer: MetricHandle {}

extension MetricHandle {
    /// The handle of `description` for one set of label values (in the description's order).
    public init(_ description: MetricDescription, _ values: String...) {
        self.init(label: description.name, dimensions: Array(zip(description.labels, values)))
    }
}

/// The handles of a metric with one label, one per value of `Label`, made at once so every
/// series exists from zero (an alert on `increase()` sees the first event); looking one up
/// cannot miss.
public struct Family<Label: Hashable & RawRepresentable<String>, Handle: MetricHandle> {
    private let description: MetricDescription
    private let handles: [Label: Handle]

    /// `values`: those that exist from the start; another one is made when first recorded.
    public init(_ description: MetricDescription, values: [Label]) {
        self.description = description
        handles = Dictionary(uniqueKeysWithValues: values.map { ($0, Handle(description, $0.rawValue)) })
    }

    public subscript(_ label: Label) -> Handle {
        handles[label] ?? Handle(description, label.rawValue)
    }
}

extension Family where Label: CaseIterable {
    public init(_ description: MetricDescription) {
        self.init(description, values: Array(Label.allCases))
    }
}

extension Family: Sendable where Label: Sendable, Handle: Sendable {}
