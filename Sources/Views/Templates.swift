import Foundation
import HTTP
import Mustache

/// The Mustache templates under `templates/`, loaded once at start-up, and rendered from views
/// (`PageView`, `MailView`). HTML templates get every value as `EscapedHTML` and may not print
/// anything unescaped; templates named `*.txt` are plain text and get their values as they are.
public struct Templates: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A view that cannot be rendered: the request fails with a 500, the thread goes on.
    public struct RenderError: Error, CustomStringConvertible {
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

    public func page(_ view: some PageView, status: Status = .ok) throws(RenderError) -> Response {
        .html(try render(type(of: view).template, view.context, html: true), status: status)
    }

    /// The mail's text and HTML bodies.
    public func mail(_ view: some MailView) throws(RenderError) -> (text: String, html: String) {
        let kind = type(of: view)
        return (try render(kind.textTemplate, view.context, html: false), try render(kind.htmlTemplate, view.context, html: true))
    }

    private func render(_ name: String, _ context: ViewContext, html: Bool) throws(RenderError) -> String {
        guard let text = library.render(try Self.engineContext(context, html: html), withTemplate: name) else {
            throw RenderError(description: "template \(name) was not loaded at start-up")
        }
        return text
    }

    private static func engineContext(_ context: ViewContext, html: Bool) throws(RenderError) -> [String: Any] {
        var values: [String: Any] = [:]
        for (name, value) in context {
            values[name] = try engineValue(value, html: html)
        }
        return values
    }

    private static func engineValue(_ value: ViewValue, html: Bool) throws(RenderError) -> Any {
        switch value {
        case .text(let text): html ? try verbatim(EscapedHTML(escaping: text)) : text
        case .flag(let flag): flag
        case .list(let rows): try rows.map { (row) throws(RenderError) in try engineContext(row, html: html) }
        }
    }

    /// How escaped text reaches the engine: as a template holding only that text, which the
    /// engine inserts as it is, in any template, partial or layout and under any content-type
    /// pragma, so its own escaper never runs on a page.
    private static func verbatim(_ escaped: EscapedHTML) throws(RenderError) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: escaped.text)
        } catch {
            throw RenderError(description: "escaped text did not parse as plain text: \(error)")
        }
    }
}
