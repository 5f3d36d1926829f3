import Auth
import EmailFlow
import HTTP
import Logging
import Settings
import Store
import Views

public typealias Handler = (Request) throws -> Response

/// The application as one request thread runs it: the routing table, bound to that thread's
/// database handle. `respond` is the whole of it, from a `Request` to a `Response` with no
/// socket in between, which is how the tests drive it too.
public final class App {
    private var router = Router<Handler>()
    private let errors: ErrorRenderer

    public init(database: Database, resources: Resources, logger: Logger, mailQueued: @escaping () -> Void) {
        let settings = resources.settings, templates = resources.templates
        errors = ErrorRenderer(templates: templates, logger: logger)
        let gate = SessionGate(database: database, settings: settings)
        let emails = EmailController(database: database, gate: gate, templates: templates, settings: settings, mailQueued: mailQueued)
        let verification = VerificationController(database: database, templates: templates, settings: settings)

        // Joining a Django shop, the shop serves its own login and user center.
        if settings.sessions.engine == .service {
            let login = LoginController(database: database, templates: templates, settings: settings)
            let userCenter = UserCenterController(database: database, gate: gate, templates: templates, settings: settings)
            router.add("/login/", .html, [(.get, login.form), (.head, login.form), (.post, login.submit)])
            router.add("/logout/", .html, [(.get, login.logout)])
            router.add("/info/", .html, [(.get, userCenter.page), (.head, userCenter.page)])
        }
        router.add("/emails/", .json, databaseFailure: EmailController.saveFailed, [(.put, emails.bind)])
        var verifying: [(Method, Handler)] = [(.get, verification.verify), (.head, verification.head)]
        if settings.verification.confirmPage { verifying.append((.post, verification.confirm)) }
        router.add("/emails/verification/", .html, databaseFailure: VerificationController.activationFailed, verifying)
        for path in resources.assets.assets.keys {
            let serve: Handler = { [assets = resources.assets] request in
                assets.response(for: request.path, ifNoneMatch: request.ifNoneMatch) ?? .html("", status: .notFound)
            }
            router.add(path, .html, [(.get, serve), (.head, serve)])
        }
    }

    /// The answer to `request`, with its id (nginx's, or one made here) in `X-Request-Id`.
    public func respond(to request: Request) -> Response {
        var request = request
        if request.requestID.isEmpty { request.requestID = Request.makeID() }
        var response = route(request)
        response.headers.append(("X-Request-Id", request.requestID))
        return response
    }

    private func route(_ request: Request) -> Response {
        switch router.match(request.method, request.path) {
        case .found(let handler, let route):
            do {
                return try handler(request)
            } catch {
                return errors.response(for: error, route: route, request: request)
            }
        case .methodNotAllowed(let allow, let route):
            return errors.render(.methodNotAllowed(allow: allow), flavor: route.flavor)
        case .notFound(let flavor):
            return errors.render(.notFound(), flavor: flavor)
        }
    }
}
