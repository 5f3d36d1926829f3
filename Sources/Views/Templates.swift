import Foundation
import HTTP
import Mustache

/// The Mustache templates under `templates/`, loaded once at start-up. HTML templates escape
/// every `{{value}}`; mail text templates opt out with `{{% CONTENT_TYPE: TEXT}}`.
public struct Templates: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    private let library: MustacheLibrary

    /// Loads every `*.mustache` file under `directory` (subfolders give `folder/name`), and
    /// fails unless each name in `required` is among them.
    public init(directory: String, required: [String]) throws {
        MustacheContentTypes.register(HTMLEscaping(), named: "HTML")
        var library = MustacheLibrary()
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let files = FileManager.default.enumerator(atPath: root.path)
        else {
            throw LoadError(description: "template folder \(directory) cannot be read")
        }
        for case let relative as String in files where relative.hasSuffix(".mustache") {
            let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
            do {
                try library.register(text, named: String(relative.dropLast(".mustache".count)))
            } catch {
                throw LoadError(description: "template \(relative) does not parse: \(error)")
            }
        }
        for name in required where library.getTemplate(named: name) == nil {
            throw LoadError(description: "template \(name).mustache is missing from \(directory)")
        }
        self.library = library
    }

    public func render(_ name: String, _ context: [String: Any]) -> String {
        guard let text = library.render(context, withTemplate: name) else {
            preconditionFailure("template \(name) was not required at start-up")
        }
        return text
    }

    public func page(_ name: String, _ context: [String: Any], status: Status = .ok) -> Response {
        .html(render(name, context), status: status)
    }
}
