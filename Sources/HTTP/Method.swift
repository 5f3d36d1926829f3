public enum Method: Hashable, Sendable, CustomStringConvertible {
    case get, head, post, put, delete, patch, options
    case other(String)

    public init(_ name: String) {
        switch name {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        case "PATCH": self = .patch
        case "OPTIONS": self = .options
        default: self = .other(name)
        }
    }

    /// The method as a metric label: a client's own method names would each make a series for
    /// good, so every one the service does not know is `other`.
    public var metricLabel: String {
        if case .other = self { return "other" }
        return description
    }

    public var description: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .patch: "PATCH"
        case .options: "OPTIONS"
        case .other(let name): name
        }
    }
}
