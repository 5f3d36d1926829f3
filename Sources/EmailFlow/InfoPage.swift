import Store
import Views

/// `info.mustache`: the user center, with the address, its state, the address waiting to
/// replace it (EMAIL_RECONFIRMABLE), the CSRF token of the form that binds one, and the code
/// field while an address waits to be verified.
public struct InfoPage: PageView {
    public static let template = "info"

    let user: User
    let pendingEmail: String?
    let csrfToken: String

    public var context: ViewContext {
        [
            "username": .text(user.username), "mobile": .text(user.mobile),
            "email": .text(user.email), "has_email": .flag(!user.email.isEmpty), "email_active": .flag(user.emailActive),
            "pending_email": .text(pendingEmail ?? ""), "has_pending": .flag(pendingEmail != nil),
            "waiting": .flag(pendingEmail != nil || (!user.email.isEmpty && !user.emailActive)),
            "csrf_token": .text(csrfToken),
        ]
    }
}
