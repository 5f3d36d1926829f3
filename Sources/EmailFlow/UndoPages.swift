import EmailCore
import Views

/// `undo_confirm.mustache`: what the "this wasn't me" link would undo, and the one button that
/// does it (a scanner following the link changes nothing).
public struct UndoConfirmPage: PageView {
    public static let template = "undo_confirm"

    let username: String
    let oldEmail: String
    let newEmail: String
    let token: String
    let csrfToken: String
    let endsSessions: Bool

    public var context: ViewContext {
        [
            "username": .text(username), "old_email": .text(oldEmail), "new_email": .text(MailAddress.masked(newEmail)),
            "token": .text(token), "csrf_token": .text(csrfToken), "ends_sessions": .flag(endsSessions),
        ]
    }
}

/// `undo_done.mustache`: the old address is back, and what to do next: log in again (the
/// service ended the sessions) or change the password on the shop (which ends the shop's).
public struct UndoDonePage: PageView {
    public static let template = "undo_done"

    let username: String
    let oldEmail: String
    let endedSessions: Bool

    public var context: ViewContext {
        ["username": .text(username), "old_email": .text(oldEmail), "ended_sessions": .flag(endedSessions)]
    }
}
