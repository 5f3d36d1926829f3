import Auth
import HTTP
import Settings
import Views

/// `GET /info/`: the user center, where the email address is shown and bound.
public final class UserCenterController {
    private let gate: SessionGate
    private let templates: Templates
    private let csrf: CSRF

    public init(gate: SessionGate, templates: Templates, settings: Settings) {
        self.gate = gate
        self.templates = templates
        csrf = CSRF(settings.sessions)
    }

    public func page(_ request: Request) throws -> Response {
        guard let user = try gate.user(for: request) else {
            return .redirect(to: "/login/?next=/info/")
        }
        let secret = csrf.secret(for: request)
        var response = templates.page("info", [
            "username": user.username,
            "mobile": user.mobile,
            "email": user.email,
            "has_email": !user.email.isEmpty,
            "email_active": user.emailActive,
            "csrf_token": CSRF.mask(secret),
        ])
        response.cookies = [csrf.cookie(secret)]
        return response
    }
}
