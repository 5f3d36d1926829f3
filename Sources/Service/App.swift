import Auth
import EmailFlow
import HTTP
import Instruments
import Logging
import Processes
import Settings
import Store
import Telemetry
import Views

public typealias Handler = (Request) throws -> Response

/// The application as one request thread runs it: the routing table, bound to that thread's
/// database handle. `respond` is the whole of it, from a `Request` to a `Response` with no
/// socket in between, which is how the tests drive it too.
public final class App {
    private var router = Router<Handler>()
    private let errors: ErrorRenderer
    private let metrics = RequestMetrics()

    /// `handover` is the pipe to the mail senders (nil: mail waits in the queue for them).
    public init(
        database: Database, resources: Resources, telemetry: Telemetry, instruments: ResponderInstruments, logger: Logger,
        handover: Handover?
    ) {
        let settings = resources.settings, templates = resources.templates
        errors = ErrorRenderer(templates: templates, logger: logger)
        // This thread's connection to the shop's Redis, for the cache session engines.
        let cache = settings.sessions.cache.map { SessionCache($0, instruments: instruments) }
        let gate = SessionGate(database: database, cache: cache, settings: settings, instruments: instruments, logger: logger)
        let queue = MailQueue(database: database, handover: handover, handsOver: settings.delivery.workers > 0)
        let emails = EmailController(
            database: database, gate: gate, templates: templates, settings: settings, queue: queue, instruments: instruments)
        let verification = VerificationController(
            database: database, gate: gate, templates: templates, settings: settings, queue: queue, instruments: instruments)

        // Joining a Django shop, the shop serves its own login and user center.
        if settings.sessions.engine == .service {
            let login = LoginController(database: database, templates: templates, settings: settings, instruments: instruments)
            let userCenter = UserCenterController(database: database, gate: gate, templates: templates, settings: settings)
            router.add("/login/", .html, [(.get, login.form), (.head, login.form), (.post, login.submit)])
            router.add("/logout/", .html, [(.get, login.logout), (.post, login.confirmLogout)])
            router.add("/info/", .html, [(.get, userCenter.page), (.head, userCenter.page)])
        }
        router.add("/emails/", .json, databaseFailure: EmailController.saveFailed, bodyRefusal: .atRead, [(.put, emails.bind)])
        let status = StatusController(database: database, gate: gate, settings: settings)
        router.add("/emails/status/", .json, [(.get, status.status), (.head, status.status)])
        var verifying: [(Method, Handler)] = [(.get, verification.verify), (.head, verification.head)]
        if settings.verification.confirmPage { verifying.append((.post, verification.confirm)) }
        router.add("/emails/verification/", .html, databaseFailure: VerificationController.activationFailed, verifying)
        router.add(VerificationController.resendPath, .html, [(.post, verification.resend)])
        let code = VerificationCodeController(database: database, gate: gate, settings: settings)
        router.add(VerificationCodeController.path, .json, [(.post, code.verify)])
        let undo = UndoController(database: database, templates: templates, settings: settings)
        router.add(UndoController.path, .html, [(.get, undo.page), (.head, undo.head), (.post, undo.undo)])
        let ops = OpsController(database: database, cache: cache, telemetry: telemetry, instruments: instruments, settings: settings)
        router.add(OpsController.metricsPath, .json, [(.get, ops.metrics)])
        router.add(OpsController.healthPath, .json, [(.get, ops.health), (.head, ops.health)])
        for path in resources.assets.assets.keys {
            let serve: Handler = { [assets = resources.assets] request in
                assets.response(for: request.path, ifNoneMatch: request.ifNoneMatch) ?? .html("", status: .notFound)
            }
            router.add(path, .html, [(.get, serve), (.head, serve)])
        }
    }

    /// The answer to `request`, with its id (nginx's, or one made here) in `X-Request-Id`.
    public func respond(to request: Request) -> Response {
        let start = Clock.monotonic()
        var request = request
        if request.requestID.isEmpty { request.requestID = Request.makeID() }
        var (response, route) = answer(request)
        response.headers.append(("X-Request-Id", request.requestID))
        metrics.record(route: route, method: request.method.metricLabel, status: response.status.code, since: start)
        return response
    }

    /// The response, and the route it was for (`other` for unknown paths).
    private func answer(_ request: Request) -> (Response, String) {
        switch router.match(request.method, request.path) {
        case .found(let handler, let route):
            do {
                if request.body == .refused, route.bodyRefusal == .beforeHandler { throw HTTPError.bodyTooLarge() }
                return (try handler(request), route.path)
            } catch {
                return (errors.response(for: error, route: route, request: request), route.path)
            }
        case .methodNotAllowed(let allow, let route):
            return (errors.render(.methodNotAllowed(allow: allow), flavor: route.flavor, request: request), route.path)
        case .notFound(let flavor):
            return (errors.render(.notFound(), flavor: flavor, request: request), "other")
        }
    }
}
