import HTTP
import Instruments
import Logging
import Processes
import Settings
import Store
import Views

/// `GET/POST /login/` and `GET /logout/`.
public final class LoginController {
    private let database: Database
    private let templates: Templates
    private let settings: SessionSettings
    private let secretKey: [UInt8]
    private let hasher: PasswordHasher
    private let csrf: CSRF
    private let throttle: LoginThrottle
    private let devices: DeviceCookie
    private let reauthWindow: Int
    private let instruments: ResponderInstruments

    static let logger = Logger(label: "responder")

    /// Meiduo sets a `username` cookie for its pages' header, for 14 days.
    static let usernameCookieAge = 14 * 24 * 3600

    public init(database: Database, templates: Templates, settings: Settings, instruments: ResponderInstruments) {
        self.database = database
        self.instruments = instruments
        self.templates = templates
        self.settings = settings.sessions
        secretKey = settings.secretKey
        hasher = PasswordHasher(iterations: settings.sessions.passwordIterations)
        csrf = CSRF(settings.sessions)
        throttle = LoginThrottle(settings: settings.loginThrottle)
        devices = DeviceCookie(secretKey: settings.secretKey)
        reauthWindow = settings.accountSafety.reauthWindow
    }

    public func form(_ request: Request) throws -> Response {
        try loginPage(request, secret: csrf.secret(for: request), next: request.query("next"), username: "", error: nil, status: .ok)
    }

    public func submit(_ request: Request) throws -> Response {
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        let form = try request.form()
        let username = form["username"] ?? "", password = form["password"] ?? ""
        let next = form["next"]
        let secret = csrf.secret(for: request)
        func page(_ error: String, _ status: Status) throws -> Response {
            try loginPage(request, secret: secret, next: next, username: username, error: error, status: status)
        }
        guard !username.isEmpty, !password.isEmpty else { return try page("请输入用户名和密码", .badRequest) }

        // Meiduo's rule: an 11-digit number starting 1[3-9] is a mobile number, anything else a username.
        let login: Users.Login = MobileNumber.isValid(username) ? .mobile(username) : .username(username)
        let (credentials, entered) = try database.run { connection in
            let credentials = try Users.credentials(for: login, on: connection)
            let device = devices.subject(request.cookies[DeviceCookie.name], userID: credentials?.user.id)
            let subjects = LoginThrottle.Subjects(userID: credentials?.user.id, login: username, device: device, address: request.remoteAddress)
            return (credentials, try throttle.enter(subjects, on: connection))
        }
        let attempt: LoginThrottle.Attempt
        switch entered {
        case .failure(let wait):
            instruments.throttled[wait.scope == .address ? .loginAddress : .loginAccount].increment()
            var response = try page("登录失败次数过多，请在 \((wait.seconds + 59) / 60) 分钟后再试", .tooManyRequests)
            response.headers.append(("Retry-After", String(wait.seconds)))
            return response
        case .success(let recorded):
            attempt = recorded
        }
        let started = Clock.monotonic()
        let check = hasher.check(password, against: credentials?.passwordHash)
        Self.logger.debug(
            "password check",
            metadata: [
                "iterations": "\(check.iterations)", "milliseconds": "\(Int((Clock.monotonic() - started) * 1000))",
                "request_id": "\(request.requestID)",
            ])
        guard let credentials, check.verified, credentials.isActive else {
            // The attempt's rows stay: they are its failure.
            instruments.loginFailures.increment()
            return try page("用户名或密码错误", .badRequest)
        }

        let user = credentials.user
        let rehashed = hasher.needsRehash(credentials.passwordHash) ? hasher.hash(password) : nil
        let session = SessionID.generate()
        try database.transaction { transaction in
            let connection = transaction.link
            if let old = request.cookies[settings.cookieName], let digest = SessionID.digest(ofCookie: old) {
                try Sessions.delete(digest: digest, on: connection)
            }
            try Sessions.purgeExpired(on: connection)
            // The session is bound to the hash the password has once this transaction commits.
            var stored = credentials.passwordHash
            if let rehashed, try Users.replacePasswordHash(userID: user.id, old: stored, new: rehashed, on: connection) {
                stored = rehashed
            }
            try Sessions.create(
                digest: session.digest, userID: user.id, authHash: SessionAuthHash.compute(passwordHash: stored, key: secretKey),
                lifetime: settings.age, on: connection)
            try Users.recordLogin(userID: user.id, on: connection)
            try throttle.succeeded(attempt, on: connection)
            // Logging in is typing the password: the new session may replace a verified address.
            if reauthWindow > 0 {
                try PasswordConfirmations.record(sessionDigest: session.digest, userID: user.id, window: reauthWindow, on: connection)
            }
        }

        let remembered = form["remembered"].map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
        var response = Response.redirect(to: RedirectTarget.sanitize(next))
        response.cookies = [
            SetCookie(
                name: settings.cookieName, value: session.cookieValue, maxAge: remembered ? settings.age : nil,
                httpOnly: true, secure: settings.cookieSecure),
            // A new CSRF secret at login, as Django rotates it, so a token planted before login is useless after.
            csrf.cookie(CSRF.newSecret()),
            SetCookie(name: "username", value: CookieValue.encode(user.username), maxAge: Self.usernameCookieAge, secure: settings.cookieSecure),
            // This browser is now known to the account: others' failures no longer lock it out.
            SetCookie(
                name: DeviceCookie.name, value: devices.issue(userID: user.id), maxAge: DeviceCookie.age, httpOnly: true,
                secure: settings.cookieSecure),
        ]
        return response
    }

    /// `GET /logout/`: the contract's link for the shop's own pages. When the browser says another
    /// site sent it there (an `<img>` is enough), it asks first, with a CSRF-protected button.
    public func logout(_ request: Request) throws -> Response {
        guard !csrf.isCrossSite(request) else {
            let secret = csrf.secret(for: request)
            var error = HTTPError(
                .ok, code: .ok, "确定要退出登录吗？", hint: "退出请求来自其他网站。只有您本人想退出时才点击下面的按钮。",
                action: .post("/logout/", label: "退出登录", fields: [(CSRF.formField, CSRF.mask(secret))]))
            error.cookies = [csrf.cookie(secret)]
            throw error
        }
        return try endSession(request)
    }

    /// `POST /logout/`, from that button.
    public func confirmLogout(_ request: Request) throws -> Response {
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        return try endSession(request)
    }

    private func endSession(_ request: Request) throws -> Response {
        if let cookie = request.cookies[settings.cookieName], let digest = SessionID.digest(ofCookie: cookie) {
            try database.run { try Sessions.delete(digest: digest, on: $0) }
        }
        var response = Response.redirect(to: "/login/")
        response.cookies = [
            .expired(settings.cookieName, secure: settings.cookieSecure),
            .expired("username", secure: settings.cookieSecure),
        ]
        return response
    }

    /// `next` is kept only when it is a same-site path: anything else is dropped here, before
    /// it is rendered, not merely escaped.
    private func loginPage(_ request: Request, secret: String, next: String?, username: String, error: String?, status: Status) throws -> Response {
        let page = LoginPage(
            csrfToken: CSRF.mask(secret), next: RedirectTarget.sanitize(next, fallback: ""), username: username, error: error)
        var response = try templates.page(page, status: status)
        response.cookies = [csrf.cookie(secret)]
        return response
    }
}
