import Views

/// `verify_confirm.mustache` (VERIFY_EMAIL_CONFIRM_PAGE): the button that verifies the address
/// the link's token names.
public struct VerifyConfirmPage: PageView {
    public static let template = "verify_confirm"

    let email: String
    let token: String
    let csrfToken: String

    public var context: ViewContext {
        ["email": .text(email), "token": .text(token), "csrf_token": .text(csrfToken)]
    }
}
