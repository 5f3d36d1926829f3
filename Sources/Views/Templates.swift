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
    /// The n-th escaped value of a page reaches the engine as the n-th of these, parsed once:
    /// a template holding only a mark, which the engine inserts as it is, in any template,
    /// partial or layout and under any content-type pragma, so its own escaper never runs on a
    /// page; the marks are replaced by the escaped values after rendering.
    private let placeholders: [MustacheTemplate]
    /// The byte around a placeholder's number; no HTML template may hold it.
    static let mark: UInt8 = 0x01
    static let placeholderCount = 256

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
            if !Self.isText(name), text.utf8.contains(Self.mark) {
                throw LoadError(description: "template \(relative) holds the control character U+0001, which marks values; HTML templates may not")
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
        do {
            let mark = Character(Unicode.Scalar(Self.mark))
            placeholders = try (0..<Self.placeholderCount).map { try MustacheTemplate(string: "\(mark)\($0)\(mark)") }
        } catch {
            throw LoadError(description: "the value placeholders do not parse: \(error)")
        }
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
        var values: [EscapedHTML] = []
        let engineContext = try self.engineContext(context, html: html, values: &values)
        guard let text = library.render(engineContext, withTemplate: name) else {
            throw RenderError(description: "template \(name) was not loaded at start-up")
        }
        return values.isEmpty ? text : Self.substitute(values, into: text)
    }

    private func engineContext(_ context: ViewContext, html: Bool, values: inout [EscapedHTML]) throws(RenderError) -> [String: Any] {
        var engine: [String: Any] = [:]
        for (name, value) in context {
            engine[name] = try engineValue(value, html: html, values: &values)
        }
        return engine
    }

    private func engineValue(_ value: ViewValue, html: Bool, values: inout [EscapedHTML]) throws(RenderError) -> Any {
        switch value {
        case .text(let text):
            guard html else { return text }
            guard values.count < placeholders.count else {
                throw RenderError(description: "a view with more than \(placeholders.count) values")
            }
            values.append(EscapedHTML(escaping: text))
            return placeholders[values.count - 1]
        case .flag(let flag):
            return flag
        case .list(let rows):
            var engineRows: [[String: Any]] = []
            for row in rows { engineRows.append(try engineContext(row, html: html, values: &values)) }
            return engineRows
        }
    }

    /// The rendered page with each placeholder replaced by its escaped value. Only the
    /// templates' text and the marks are scanned (the templates hold no mark), never a value.
    static func substitute(_ values: [EscapedHTML], into rendered: String) -> String {
        var page = rendered
        return page.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + values.reduce(0) { $0 + $1.text.utf8.count })
            var index = 0
            while index < bytes.count {
                guard bytes[index] == mark else {
                    let start = index
                    while index < bytes.count && bytes[index] != mark { index += 1 }
                    out.append(contentsOf: bytes[start..<index])
                    continue
                }
                var number = 0
                index += 1
                while index < bytes.count && bytes[index] != mark {
                    number = number * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                    index += 1
                }
                index += 1
                out.append(contentsOf: values[number].text.utf8)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
