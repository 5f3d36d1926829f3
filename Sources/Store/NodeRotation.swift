/// Which database node a new connection tries first: the listed order, passing over for a
/// while a node that failed, so a dead node costs a connect timeout once per `holdDown`
/// rather than at every reconnection.
public struct NodeRotation: Sendable {
    public let holdDown: Double
    public private(set) var downUntil: [Double]

    public init(count: Int, holdDown: Double) {
        self.holdDown = holdDown
        downUntil = Array(repeating: 0, count: count)
    }

    /// Every node, in the order to try them at `now`: the listed order, except that nodes
    /// held down come last, the one back soonest first.
    public func order(at now: Double) -> [Int] {
        let indexes = Array(downUntil.indices)
        let up = indexes.filter { downUntil[$0] <= now }
        let down = indexes.filter { downUntil[$0] > now }.sorted { (downUntil[$0], $0) < (downUntil[$1], $1) }
        return up + down
    }

    public mutating func failed(_ node: Int, at now: Double) {
        downUntil[node] = now + holdDown
    }

    public mutating func answered(_ node: Int) {
        downUntil[node] = 0
    }
}
