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

    /// Everything a responder needs besides its database handle, checked once at start-up so
    /// that a bad setting or a missing template stops `serve` with one clear line.
    public struct Resources: Sendable {
        public let settings: Settings
        let templates: Templates
        let assets: StaticAssets
        let auth: AuthSettings
        let emailFlow: EmailFlowSettings

        /// Checks what serving needs (SECRET_KEY among it) and answers EMAIL_FROM, parsed;
        /// cheap, so the supervisor and the senders can check without loading templates.
        public static func sender(_ settings: Settings) throws -> MailAddress {
            try settings.requireServing()
            do {
                return try MailAddress.parse(settings.emailFrom)
            } catch {
                throw Environment.Problem(description: "EMAIL_FROM: \(error)")
            }
        }

        /// Every template the routes render.
        static let requiredTemplates = ["layout", "error", "login", "info", "verify_confirm"] + VerificationMail.templates

        public init(settings: Settings) throws {
            let from = try Self.sender(settings)
            self.settings = settings
            templates = try Templates(directory: settings.templatesDirectory, required: Self.requiredTemplates)
            assets = try StaticAssets(directory: settings.templatesDirectory)
            auth = AuthSettings(
                sessionAge: settings.sessionAge, sessionCookieSecure: settings.sessionCookieSecure,
                csrfCookieSecure: settings.csrfCookieSecure)
            emailFlow = EmailFlowSettings(
                secretKey: Array(settings.secretKey!.utf8), verifyURL: settings.emailVerifyURL,
                tokenLifetime: Int64(settings.verifyEmailTokenExpires), from: from,
                throttle: ThrottlePolicy(addressInterval: settings.throttleAddressInterval, userHourly: settings.throttleUserHourly),
                confirmPage: settings.verifyEmailConfirmPage)
        }
    }

    init(database: Database, resources: Resources, logger: Logger, mailQueued: @escaping () -> Void) {
        let templates = resources.templates
        errors = ErrorRenderer(templates: templates, logger: logger)
        let gate = SessionGate(database: database)
        let login = LoginController(database: database, templates: templates, settings: resources.auth)
        let userCenter = UserCenterController(gate: gate, templates: templates, csrfCookieSecure: resources.auth.csrfCookieSecure)
        let emails = EmailController(
            database: database, gate: gate, templates: templates, settings: resources.emailFlow, mailQueued: mailQueued)
        let verification = VerificationController(
            database: database, templates: templates, settings: resources.emailFlow, csrfCookieSecure: resources.auth.csrfCookieSecure)

        router.add("/login/", .html, [(.get, login.form), (.head, login.form), (.post, login.submit)])
        router.add("/logout/", .html, [(.get, login.logout)])
        router.add("/info/", .html, [(.get, userCenter.page), (.head, userCenter.page)])
        router.add("/emails/", .json, [(.put, emails.bind)])
        var verifying: [(Method, Handler)] = [(.get, verification.verify), (.head, verification.head)]
        if resources.emailFlow.confirmPage { verifying.append((.post, verification.confirm)) }
        router.add("/emails/verification/", .html, verifying)
        for path in resources.assets.assets.keys {
            let serve: Handler = { [assets = resources.assets] request in
                assets.response(for: request.path, ifNoneMatch: request.ifNoneMatch)!
            }
            router.add(path, .html, [(.get, serve), (.head, serve)])
        }
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
        case .notFound(let flavor):
            return errors.render(.notFound, flavor: flavor)
        }
    }
}
