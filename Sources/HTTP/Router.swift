/// What a path's clients expect back, errors included: JSON for scripts, HTML for browsers.
public enum Flavor: Sendable {
    case json, html
}

/// When a body over the size limit is refused: before the handler runs, or when the handler
/// reads it, after the checks a path's contract puts first (`PUT /emails/`: session, then CSRF).
public enum BodyRefusal: Sendable {
    case beforeHandler, atRead
}

/// Maps method and exact path to a handler. Each path also says how its errors look (its
/// flavor, and what its clients are told when the database fails under it) and when a body
/// over the limit is refused.
public struct Router<Handler> {
    public struct Route {
        /// The path it was registered under.
        public let path: String
        public let flavor: Flavor
        /// The answer for a database failure on this path: each path words it for its clients.
        public let databaseFailure: HTTPError
        public let bodyRefusal: BodyRefusal
        let handlers: [(Method, Handler)]
    }

    public enum Match {
        case found(Handler, Route)
        case methodNotAllowed(allow: [Method], Route)
        /// Flavored like the path with a trailing slash added, when that one exists.
        case notFound(Flavor)
    }

    private var routes: [String: Route] = [:]

    public init() {}

    public mutating func add(
        _ path: String, _ flavor: Flavor, databaseFailure: HTTPError? = nil, bodyRefusal: BodyRefusal = .beforeHandler,
        _ handlers: [(Method, Handler)]
    ) {
        precondition(routes[path] == nil, "route \(path) registered twice")
        routes[path] = Route(
            path: path, flavor: flavor, databaseFailure: databaseFailure ?? Self.databaseFailure(flavor), bodyRefusal: bodyRefusal,
            handlers: handlers)
    }

    public func match(_ method: Method, _ path: String) -> Match {
        guard let route = routes[path] else { return .notFound(routes[path + "/"]?.flavor ?? .html) }
        if let handler = route.handlers.first(where: { $0.0 == method }) {
            return .found(handler.1, route)
        }
        return .methodNotAllowed(allow: route.handlers.map(\.0), route)
    }

    private static func databaseFailure(_ flavor: Flavor) -> HTTPError {
        switch flavor {
        case .json: HTTPError(.ok, code: .database, "服务器繁忙，请稍后再试")
        case .html: HTTPError(.internalServerError, code: .database, "服务器繁忙，请稍后再试")
        }
    }
}
