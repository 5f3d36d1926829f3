import Views

/// `login.mustache`: the login form, with its CSRF token, where to go after it, the username
/// entered and what went wrong.
public struct LoginPage: PageView {
    public static let template = "login"

    let csrfToken: String
    /// A same-site path, or empty.
    let next: String
    let username: String
    let error: String?

    public var context: ViewContext {
        var context: ViewContext = ["csrf_token": .text(csrfToken), "next": .text(next), "username": .text(username)]
        if let error { context["error"] = .text(error) }
        return context
    }
}
