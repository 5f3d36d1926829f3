import Foundation
import HTTP
import Mustache

/// The Mustache templates under `templates/`, loaded once at start-up. Pages and HTML mail get
/// every value through `HTMLEscaper` (see `EscapedValues`) and may not print anything
/// unescaped; templates named `*.txt` are plain text and get their values as they are.
public struct Templates: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    private let library: MustacheLibrary

    /// Loads every `*.mustache` file under `directory` (subfolders give `folder/name`), and
    /// fails unless each name in `required` is among them.
    public init(directory: String, required: [String]) throws {
        var library = MustacheLibrary()
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let files = FileManager.default.enumerator(atPath: root.path)
        else {
            throw LoadError(description: "template folder \(directory) cannot be read")
        }
        for case let relative as String in files where relative.hasSuffix(".mustache") {
            let name = String(relative.dropLast(".mustache".count))
            let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
            if !Self.isText(name), text.range(of: #"\{\{\s*[{&=]"#, options: .regularExpression) != nil {
                throw LoadError(description: "template \(relative) prints a value unescaped or changes delimiters; HTML templates may not")
            }
            do {
                try library.register(text, named: name)
            } catch {
                throw LoadError(description: "template \(relative) does not parse: \(error)")
            }
        }
        for name in required where library.getTemplate(named: name) == nil {
            throw LoadError(description: "template \(name).mustache is missing from \(directory)")
        }
        self.library = library
    }

    private static func isText(_ name: String) -> Bool { name.hasSuffix(".txt") }

    /// An HTML template, every value escaped.
    public func html(_ name: String, _ values: [String: Any]) -> String {
        precondition(!Self.isText(name), "\(name) is a text template")
        return render(name, EscapedValues.wrap(values))
    }

    /// A plain-text template (`*.txt`), values as they are.
    public func text(_ name: String, _ values: [String: Any]) -> String {
        precondition(Self.isText(name), "\(name) is not a text template")
        return render(name, values)
    }

    public func page(_ name: String, _ values: [String: Any], status: Status = .ok) -> Response {
        .html(html(name, values), status: status)
    }

    private func render(_ name: String, _ values: [String: Any]) -> String {
        guard let text = library.render(values, withTemplate: name) else {
            preconditionFailure("template \(name) was not required at start-up")
        }
        return text
    }
}
