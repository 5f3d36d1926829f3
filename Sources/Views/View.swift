/// What one template shows: each page and each mail has a struct of its own holding exactly
/// its values, and its `context` is the only way they reach the template.
public protocol View: Sendable {
    /// The templates it renders, by name under `templates/`: all of them must load at start-up.
    static var templates: [String] { get }
    var context: ViewContext { get }
}

/// An HTML page.
public protocol PageView: View {
    static var template: String { get }
}

extension PageView {
    public static var templates: [String] { [template] }
}

/// A mail's two bodies, `mail/<name>.txt` (values as they are) and `mail/<name>.html` (escaped),
/// from one set of values.
public protocol MailView: View {
    static var name: String { get }
}

extension MailView {
    static var textTemplate: String { "mail/\(name).txt" }
    static var htmlTemplate: String { "mail/\(name).html" }
    public static var templates: [String] { [textTemplate, htmlTemplate] }
}
