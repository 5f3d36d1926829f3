import Auth
import EmailFlow
import HTTP
import Logging
import Settings
import Store
import Views

public typealias Handler = (Request) throws -> Response

/// One request thread's application: the routing table bound to that thread's database handle.
public final class App {
    private var router = Router<Handler>()
    private let errors: ErrorRenderer

    /// Every template the routes below render; start-up fails if one is missing.
    static let requiredTemplates = ["layout", "error", "login", "info"]

    /// The service's templates, checked to be complete.
    public static func loadTemplates(from directory: String) throws -> Templates {
        try Templates(directory: directory, required: requiredTemplates)
    }

    init(database: Database, templates: Templates, settings: Settings, logger: Logger) {
        errors = ErrorRenderer(templates: templates, logger: logger)
        let auth = AuthSettings(
            sessionAge: settings.sessionAge, sessionCookieSecure: settings.sessionCookieSecure,
            csrfCookieSecure: settings.csrfCookieSecure)
        let gate = SessionGate(database: database)
        let login = LoginController(database: database, templates: templates, settings: auth)
        let userCenter = UserCenterController(gate: gate, templates: templates, csrfCookieSecure: settings.csrfCookieSecure)

        router.add("/login/", .html, [(.get, login.form), (.head, login.form), (.post, login.submit)])
        router.add("/logout/", .html, [(.get, login.logout)])
        router.add("/info/", .html, [(.get, userCenter.page), (.head, userCenter.page)])
    }

    func respond(to request: Request) -> Response {
        switch router.match(request.method, request.path) {
        case .found(let handler, let flavor):
            do {
                return try handler(request)
            } catch {
                return errors.response(for: error, flavor: flavor, request: request)
            }
        case .methodNotAllowed(let allow, let flavor):
            return errors.render(.methodNotAllowed(allow: allow), flavor: flavor)
        case .notFound:
            return errors.render(.notFound, flavor: .html)
        }
    }
}
