import Auth
import HTTP
import Settings
import Store
import Views

/// `GET /info/`: the user center, where the email address is shown and bound.
public final class UserCenterController {
    private let database: Database
    private let gate: SessionGate
    private let templates: Templates
    private let csrf: CSRF
    private let reconfirmable: Bool

    public init(database: Database, gate: SessionGate, templates: Templates, settings: Settings) {
        self.database = database
        self.gate = gate
        self.templates = templates
        csrf = CSRF(settings.sessions)
        reconfirmable = settings.mail.reconfirmable
    }

    public func page(_ request: Request) throws -> Response {
        guard let user = try gate.user(for: request) else {
            return .redirect(to: "/login/?next=/info/")
        }
        let secret = csrf.secret(for: request)
        // With EMAIL_RECONFIRMABLE, the address asked for waits beside the verified one.
        let pending = reconfirmable ? try database.run { try PendingEmails.find(userID: user.id, on: $0) } : nil
        var response = try templates.page(InfoPage(user: user, pendingEmail: pending, csrfToken: CSRF.mask(secret)))
        response.cookies = [csrf.cookie(secret)]
        return response
    }
}
