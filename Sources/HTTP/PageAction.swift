/// A button on a page: a form that posts `fields` to `path`, or a link.
public struct PageAction: Sendable {
    public enum Method: String, Sendable {
        case get, post
    }

    public let method: Method
    public let path: String
    public let label: String
    public let fields: [(name: String, value: String)]

    public static func post(_ path: String, label: String, fields: [(name: String, value: String)]) -> PageAction {
        PageAction(method: .post, path: path, label: label, fields: fields)
    }

    public static func link(_ path: String, label: String) -> PageAction {
        PageAction(method: .get, path: path, label: label, fields: [])
    }
}
