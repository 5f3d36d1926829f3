import Mustache

/// The values of an HTML page, escaped by `HTMLEscaper` before the template engine sees them.
/// Each text becomes a template holding only that escaped text, which the engine inserts as it
/// is, in any template, partial or layout and under any content-type pragma: the engine's own
/// escaper never runs on a page.
enum EscapedValues {
    static func wrap(_ values: [String: Any]) -> [String: Any] {
        values.mapValues(wrap)
    }

    private static func wrap(_ value: Any) -> Any {
        switch value {
        case let text as String: verbatim(HTMLEscaper.escape(text))
        case let number as Int: verbatim(String(number))
        case let number as Int64: verbatim(String(number))
        case let flag as Bool: flag
        case let nested as [String: Any]: wrap(nested)
        case let list as [[String: Any]]: list.map(wrap)
        default: preconditionFailure("no HTML rendering for a \(type(of: value))")
        }
    }

    private static func verbatim(_ escaped: String) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: escaped)
        } catch {
            // Escaped text holds no brace, so it holds no tag that could fail to parse.
            preconditionFailure("escaped text did not parse as plain text: \(error)")
        }
    }
}
