/// What a path's clients expect back, errors included: JSON for scripts, HTML for browsers.
public enum Flavor: Sendable {
    case json, html
}

/// Maps method and exact path to a handler. Each path also carries its flavor, so a 404 or
/// 405 on it is rendered the way its clients expect.
public struct Router<Handler> {
    public enum Match {
        case found(Handler, Flavor)
        case methodNotAllowed(allow: [Method], Flavor)
        /// Flavored like the path with a trailing slash added, when that one exists.
        case notFound(Flavor)
    }

    private var paths: [String: (flavor: Flavor, handlers: [(Method, Handler)])] = [:]

    public init() {}

    public mutating func add(_ path: String, _ flavor: Flavor, _ handlers: [(Method, Handler)]) {
        precondition(paths[path] == nil, "route \(path) registered twice")
        paths[path] = (flavor, handlers)
    }

    public func match(_ method: Method, _ path: String) -> Match {
        guard let entry = paths[path] else { return .notFound(paths[path + "/"]?.flavor ?? .html) }
        if let handler = entry.handlers.first(where: { $0.0 == method }) {
            return .found(handler.1, entry.flavor)
        }
        return .methodNotAllowed(allow: entry.handlers.map(\.0), entry.flavor)
    }
}
