/// What a template can be given: text (escaped on its way into an HTML template, as it is into
/// a text one), a flag for a section, or rows for a repeated section (one row: a section shown
/// once, in that row's context). Nothing else exists, so no value can lack a rendering.
public enum ViewValue: Sendable {
    case text(String)
    case flag(Bool)
    case list([ViewContext])
}

/// A template's values by the names it uses.
public typealias ViewContext = [String: ViewValue]
