import HTTP
import Views

/// `error.mustache`: an error, or a page that asks or reports (a 200 shows no status code), with
/// what the user can do about it and a button that does it.
struct ErrorPage: PageView {
    static let template = "error"

    let error: HTTPError

    var context: ViewContext {
        var context: ViewContext = ["message": .text(error.message)]
        if error.status.code >= 400 { context["status"] = .text(String(error.status.code)) }
        if let hint = error.hint { context["hint"] = .text(hint) }
        if let action = error.action {
            let fields: [ViewContext] = action.fields.map { ["name": .text($0.name), "value": .text($0.value)] }
            context["action"] = .list([
                ["post": .flag(action.method == .post), "path": .text(action.path), "label": .text(action.label), "fields": .list(fields)]
            ])
        }
        return context
    }
}
