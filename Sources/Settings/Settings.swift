import Addresses
import EmailCore
import Processes

/// Every setting of the service, read and checked once at start-up: a value that is missing,
/// malformed or inconsistent with another stops every command with one line naming it. Names
/// follow Django's settings where one exists; the rest carry the `MEIDUO_` prefix.
public struct Settings: Sendable {
    public var database: DatabaseSettings
    public var logLevel: LogLevel
    /// MEIDUO_LOG_FORMAT: `line` (the default) or `json`, one object per line.
    public var logFormat: LogFormat
    public var socket: SocketSettings
    /// Who `serve` becomes after binding its socket when started as root (MEIDUO_USER).
    public var runAs: SystemAccounts.Account
    public var templatesDirectory: String
    public var responder: ResponderSettings
    public var sessions: SessionSettings
    public var loginThrottle: LoginThrottleSettings
    /// Django's SECRET_KEY: signs verification links and checks sessions.
    public var secretKey: [UInt8]
    /// SECRET_KEY_FALLBACKS (comma-separated): earlier keys, still accepted where Django
    /// accepts them (session data, session auth hashes), never used to sign.
    public var secretKeyFallbacks: [[UInt8]]
    public var verification: VerificationSettings
    public var accountSafety: AccountSafetySettings
    public var mail: MailSettings
    public var delivery: DeliverySettings
    /// Sent mail older than this is deleted (MEIDUO_OUTBOX_RETENTION, seconds); failed mail stays
    /// until an operator acts.
    public var outboxRetention: Int

    /// The variables whose values are secrets: passed to children outside their environment,
    /// never logged.
    public static let secretVariables = [
        "SECRET_KEY", "SECRET_KEY_FALLBACKS", "MEIDUO_DB_PASSWORD", "EMAIL_HOST_PASSWORD", "SESSION_CACHE_LOCATION",
        "MEIDUO_METRICS_TOKEN",
    ]

    /// `role`: a mail sender signs and checks nothing and reads no session, so it is handed
    /// neither the key nor the session cache's location, and they are not required of it.
    /// Without a role: a command acting on the service's data, which needs what the responder does.
    public init(_ environment: Environment, role: ProcessRole? = nil) throws {
        let signsAndChecks = role?.signsAndChecks ?? true
        database = try DatabaseSettings(environment)
        logLevel = try LogLevel(environment)
        logFormat = try LogFormat(environment)
        socket = try SocketSettings(environment)
        let user = environment.string("MEIDUO_USER", default: "nobody")
        guard let account = SystemAccounts.user(named: user) else {
            throw Environment.Problem(description: "MEIDUO_USER: no user named \(user)")
        }
        runAs = account
        templatesDirectory = environment.string("MEIDUO_TEMPLATES", default: "templates")
        responder = try ResponderSettings(environment)
        sessions = try SessionSettings(environment, readsCache: signsAndChecks)
        loginThrottle = try LoginThrottleSettings(environment)
        secretKey =
            signsAndChecks
            ? Array(
                try environment.required(
                    "SECRET_KEY", "it signs the verification links (use the Django project's SECRET_KEY to share links with it)"
                ).utf8)
            : []
        secretKeyFallbacks =
            environment.string("SECRET_KEY_FALLBACKS").map {
                $0.split(separator: ",", omittingEmptySubsequences: true).map { Array($0.utf8) }
            } ?? []
        verification = try VerificationSettings(environment)
        accountSafety = try AccountSafetySettings(environment, verifyURL: verification.url)
        mail = try MailSettings(environment)
        delivery = try DeliverySettings(environment)
        // The throttles count the last hour's mail: what they count must still be there.
        let shortest = max(3600, mail.throttleAddressInterval)
        outboxRetention = try environment.duration("MEIDUO_OUTBOX_RETENTION", default: 30 * 86400, minimum: shortest)
    }

    /// The environment a child process gets: everything but the secrets.
    public static func childEnvironment(_ variables: [String: String]) -> [String: String] {
        variables.filter { !secretVariables.contains($0.key) }
    }
}

/// What the read-only commands (`outbox stats`, `health`) read: where the database and the
/// service are, and how to log. Neither SECRET_KEY nor the service's system user is needed to
/// look.
public struct InspectionSettings: Sendable {
    public var database: DatabaseSettings
    public var logLevel: LogLevel
    public var logFormat: LogFormat
    public var socket: SocketSettings
    public var metricsToken: String?

    public init(_ environment: Environment) throws {
        database = try DatabaseSettings(environment)
        logLevel = try LogLevel(environment)
        logFormat = try LogFormat(environment)
        socket = try SocketSettings(environment)
        metricsToken = try ResponderSettings(environment).metricsToken
    }
}

public enum LogLevel: String, Sendable {
    case debug, info, warning, error

    init(_ environment: Environment) throws {
        self = try environment.choice("MEIDUO_LOG_LEVEL", default: .info, ["debug": .debug, "info": .info, "warning": .warning, "error": .error])
    }
}

public enum LogFormat: String, Sendable {
    case line, json

    init(_ environment: Environment) throws {
        self = try environment.choice("MEIDUO_LOG_FORMAT", default: .line, ["line": .line, "json": .json])
    }
}

/// Where MariaDB is, and how long to wait for it.
public struct DatabaseSettings: Sendable, Equatable {
    public var socket: String?
    /// MEIDUO_DB_HOST: one server, or the nodes of a Galera cluster in the order to try them;
    /// empty for the socket (or the driver's default, localhost).
    public var nodes: [DatabaseNode]
    /// MEIDUO_DB_PORT: the port of a node listed without one.
    public var port: Int
    public var user: String
    public var password: String?
    public var name: String
    /// Seconds to wait for a connection (MEIDUO_DB_CONNECT_TIMEOUT).
    public var connectTimeout: Int
    /// Seconds one read or write on a connection may take (MEIDUO_DB_READ_TIMEOUT).
    public var readTimeout: Int

    public init(_ environment: Environment) throws {
        socket = environment.string("MEIDUO_DB_SOCKET")
        let port = try environment.integer("MEIDUO_DB_PORT", default: 3306, range: 1...65535)
        self.port = port
        nodes = try environment.string("MEIDUO_DB_HOST").map { try DatabaseNode.list($0, name: "MEIDUO_DB_HOST", port: port) } ?? []
        user = environment.string("MEIDUO_DB_USER", default: "meiduo")
        password = environment.string("MEIDUO_DB_PASSWORD")
        name = environment.string("MEIDUO_DB_NAME", default: "meiduo")
        connectTimeout = try environment.integer("MEIDUO_DB_CONNECT_TIMEOUT", default: 3, range: 1...600)
        readTimeout = try environment.integer("MEIDUO_DB_READ_TIMEOUT", default: 30, range: 1...3600)
    }
}

/// The FastCGI socket `serve` binds and who may connect to it.
public struct SocketSettings: Sendable, Equatable {
    /// MEIDUO_LISTEN, or MEIDUO_SOCKET (a unix socket's path, its older name).
    public var address: ListenAddress
    /// The variable that named it, for messages.
    public var addressVariable: String
    /// MEIDUO_LISTEN_ALLOW on TCP: who may connect; nil on a unix socket, whose mode and group decide.
    public var clients: AllowList?
    /// Where the processes of `serve` share their metrics snapshots: beside a unix socket, or in
    /// MEIDUO_RUNTIME_DIRECTORY on TCP.
    public var metricsDirectory: String
    public var mode: UInt32
    /// MEIDUO_SOCKET_GROUP, resolved: nginx's workers must be in it.
    public var groupID: UInt32?

    public init(_ environment: Environment) throws {
        (address, addressVariable) = try Self.address(environment)
        clients = try Self.clients(environment, address: address)
        metricsDirectory = Self.metricsDirectory(environment, address: address)
        mode = try environment.octal("MEIDUO_SOCKET_MODE", default: 0o660)
        if let group = environment.string("MEIDUO_SOCKET_GROUP") {
            guard let id = SystemAccounts.groupID(named: group) else {
                throw Environment.Problem(description: "MEIDUO_SOCKET_GROUP: no group named \(group)")
            }
            groupID = id
        }
    }
}

public struct ResponderSettings: Sendable, Equatable {
    /// Request threads, each with its own MariaDB connection.
    public var threads: Int
    /// Larger bodies are refused with 413.
    public var bodyLimit: Int
    /// Seconds a FastCGI connection may stay silent while the service reads a request or
    /// writes its answer (MEIDUO_READ_TIMEOUT): a stalled client cannot pin a thread longer.
    public var readTimeout: Double
    /// MEIDUO_METRICS_TOKEN: when set, the metrics and health routes also want
    /// `Authorization: Bearer` it (a proxy on the same host defeats nginx's address allow-list).
    public var metricsToken: String?

    public init(_ environment: Environment) throws {
        threads = try environment.integer("MEIDUO_THREADS", default: 8, range: 1...256)
        bodyLimit = try environment.integer("MEIDUO_BODY_LIMIT", default: 64 * 1024, range: 1024...(64 << 20))
        readTimeout = try environment.double("MEIDUO_READ_TIMEOUT", default: 10, range: 0.1...600)
        metricsToken = environment.string("MEIDUO_METRICS_TOKEN")
        if let token = metricsToken, token.utf8.count < 16 || !token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw Environment.Problem(description: "MEIDUO_METRICS_TOKEN must be at least 16 visible ASCII characters")
        }
    }
}

/// The login back-off: failures per account and per client address within a window.
public struct LoginThrottleSettings: Sendable, Equatable {
    /// Failed logins for one account within the window before further tries are refused
    /// (MEIDUO_LOGIN_FAILURES; 0 turns the back-off off).
    public var accountFailures: Int
    /// The same per client address (MEIDUO_LOGIN_ADDRESS_FAILURES): far higher, so one
    /// user's typos never lock out others behind the same address.
    public var addressFailures: Int
    /// Seconds (MEIDUO_LOGIN_WINDOW).
    public var window: Int

    public init(_ environment: Environment) throws {
        accountFailures = try environment.integer("MEIDUO_LOGIN_FAILURES", default: 5, range: 0...1000)
        addressFailures = try environment.integer("MEIDUO_LOGIN_ADDRESS_FAILURES", default: 100, range: 0...1_000_000)
        window = try environment.integer("MEIDUO_LOGIN_WINDOW", default: 900, range: 1...86400)
    }
}

/// Sessions and cookies, with Django's names.
public struct SessionSettings: Sendable, Equatable {
    /// Whose sessions a request is authenticated by (SESSION_ENGINE).
    public enum Engine: Sendable, Equatable {
        /// Unset: the service's own login and sessions (`meiduo_sessions`).
        case service
        /// `django.contrib.sessions.backends.db`: rows of the shop's `django_session`.
        case djangoDatabase
        /// `django.contrib.sessions.backends.cache`: the session dictionary in the shop's Redis.
        case djangoCache
        /// `django.contrib.sessions.backends.cached_db`: Redis first, then the table, as Django reads it.
        case djangoCachedDatabase
        /// `django.contrib.sessions.backends.signed_cookies`: the session is the cookie itself.
        case djangoSignedCookies
    }

    public var engine: Engine
    /// The shop's Redis, for the cache engines.
    public var cache: SessionCacheSettings?
    /// SESSION_COOKIE_NAME and CSRF_COOKIE_NAME.
    public var cookieName: String
    public var csrfCookieName: String
    /// CSRF_TRUSTED_ORIGINS: origins besides the request's own from which unsafe requests are
    /// accepted, exactly or, with `*`, any subdomain (`https://*.meiduo.site`).
    public var trustedOrigins: [String]
    /// AUTHENTICATION_BACKENDS: a Django session logged in through another backend is refused.
    public var authenticationBackends: [String]
    /// USE_TZ: Django stores `expire_date` in UTC (true) or in local time (false).
    public var useTimeZone: Bool
    /// SESSION_COOKIE_AGE: how long a session lives, and a remembered cookie too.
    public var age: Int
    public var cookieSecure: Bool
    public var csrfCookieSecure: Bool
    /// PBKDF2 iterations for new password hashes (MEIDUO_PASSWORD_ITERATIONS; Django 4.2's count
    /// by default). A hash with fewer is redone at this count on the next login; one with more
    /// is left as it is.
    public var passwordIterations: Int

    public init(_ environment: Environment, readsCache: Bool = true) throws {
        engine = try environment.choice(
            "SESSION_ENGINE", default: .service,
            [
                "django.contrib.sessions.backends.db": .djangoDatabase,
                "django.contrib.sessions.backends.cache": .djangoCache,
                "django.contrib.sessions.backends.cached_db": .djangoCachedDatabase,
                "django.contrib.sessions.backends.signed_cookies": .djangoSignedCookies,
            ])
        cache = readsCache ? try SessionCacheSettings(environment, engine: engine) : nil
        cookieName = try Self.cookieName(environment, "SESSION_COOKIE_NAME", default: "sessionid")
        csrfCookieName = try Self.cookieName(environment, "CSRF_COOKIE_NAME", default: "csrftoken")
        trustedOrigins = environment.list("CSRF_TRUSTED_ORIGINS")
        for origin in trustedOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
            throw Environment.Problem(
                description: "CSRF_TRUSTED_ORIGINS: '\(origin)' must start with a scheme (http:// or https://), as Django 4 requires")
        }
        authenticationBackends = environment.list("AUTHENTICATION_BACKENDS")
        if authenticationBackends.isEmpty { authenticationBackends = ["django.contrib.auth.backends.ModelBackend"] }
        useTimeZone = try environment.bool("USE_TZ", default: true)
        age = try environment.integer("SESSION_COOKIE_AGE", default: 1_209_600, range: 60...(10 * 365 * 86400))
        cookieSecure = try environment.bool("SESSION_COOKIE_SECURE", default: false)
        csrfCookieSecure = try environment.bool("CSRF_COOKIE_SECURE", default: false)
        passwordIterations = try environment.integer("MEIDUO_PASSWORD_ITERATIONS", default: 600_000, range: 1000...100_000_000)
    }

    /// A cookie name RFC 6265 allows: visible ASCII without separators.
    private static func cookieName(_ environment: Environment, _ name: String, default fallback: String) throws -> String {
        let value = environment.string(name, default: fallback)
        guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }) else {
            throw Environment.Problem(description: "\(name) must be a plain cookie name, not '\(value)'")
        }
        return value
    }
}

/// The verification link.
public struct VerificationSettings: Sendable, Equatable {
    /// The link is `url + "?token=" + token`; never built from request headers.
    public var url: String
    /// VERIFY_EMAIL_TOKEN_EXPIRES, seconds.
    public var lifetime: Int
    /// VERIFY_EMAIL_CONFIRM_PAGE: the link shows a confirm button and only that POST verifies,
    /// so mail scanners that open links verify nothing.
    public var confirmPage: Bool

    public init(_ environment: Environment) throws {
        let port = environment.string("PORT", default: "8080")
        url = environment.string("EMAIL_VERIFY_URL", default: "http://127.0.0.1:\(port)/emails/verification/")
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw Environment.Problem(description: "EMAIL_VERIFY_URL must be an http:// or https:// URL, not '\(url)'")
        }
        lifetime = try environment.integer("VERIFY_EMAIL_TOKEN_EXPIRES", default: 86400, range: 1...(365 * 86400))
        confirmPage = try environment.bool("VERIFY_EMAIL_CONFIRM_PAGE", default: false)
    }
}

/// The guards around the address that recovers an account.
public struct AccountSafetySettings: Sendable, Equatable {
    /// MEIDUO_REAUTH_WINDOW, seconds: how long a session that confirmed the password may
    /// replace a verified address without confirming it again; 0 turns the rule off.
    public var reauthWindow: Int
    /// MEIDUO_UNDO_EXPIRES, seconds: how long the notice's "this wasn't me" link works.
    public var undoLifetime: Int
    /// MEIDUO_UNDO_URL: the link is `undoURL + "?token=" + token`. By default EMAIL_VERIFY_URL's,
    /// with `verification/` at its end replaced by `undo/` (or its path by `/emails/undo/`).
    public var undoURL: String

    public init(_ environment: Environment, verifyURL: String) throws {
        reauthWindow = try environment.integer("MEIDUO_REAUTH_WINDOW", default: 600, range: 0...86400)
        undoLifetime = try environment.integer("MEIDUO_UNDO_EXPIRES", default: 7 * 86400, range: 1...(90 * 86400))
        let derived: String
        if verifyURL.hasSuffix("/verification/") {
            derived = verifyURL.dropLast("verification/".count) + "undo/"
        } else {
            // The origin: up to the first "/" after "scheme://".
            let afterScheme = verifyURL.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).prefix(3)
            derived = afterScheme.joined(separator: "/") + "/emails/undo/"
        }
        undoURL = environment.string("MEIDUO_UNDO_URL", default: derived)
        guard undoURL.hasPrefix("http://") || undoURL.hasPrefix("https://") else {
            throw Environment.Problem(description: "MEIDUO_UNDO_URL must be an http:// or https:// URL, not '\(undoURL)'")
        }
    }
}

/// What the verification mail says and how often it may go out.
public struct MailSettings: Sendable, Equatable {
    /// EMAIL_FROM, parsed: its address is also the envelope sender.
    public var from: MailAddress
    /// Seconds between two mails from one account to one address; 0 turns the limit off.
    public var throttleAddressInterval: Int
    /// Mails to one address per hour, whichever accounts asked (MEIDUO_THROTTLE_ADDRESS_HOURLY): a
    /// stranger's address cannot be flooded through many accounts; 0 turns the limit off.
    public var throttleAddressHourly: Int
    /// Mails per user per hour; 0 turns the limit off.
    public var throttleUserHourly: Int
    /// A verified address being replaced gets a notice (MEIDUO_EMAIL_CHANGE_NOTICE).
    public var changeNotice: Bool
    /// EMAIL_RECONFIRMABLE: a verified address stays the account's until the new one is
    /// verified (off: the tutorial's behaviour, the new address replaces it at once).
    public var reconfirmable: Bool

    public init(_ environment: Environment) throws {
        let from = environment.string("EMAIL_FROM", default: "美多商城<hmmeiduo@163.com>")
        do {
            self.from = try MailAddress.parse(from)
        } catch {
            throw Environment.Problem(description: "EMAIL_FROM: \(error)")
        }
        throttleAddressInterval = try environment.integer("MEIDUO_THROTTLE_ADDRESS_INTERVAL", default: 60, range: 0...86400)
        throttleUserHourly = try environment.integer("MEIDUO_THROTTLE_USER_HOURLY", default: 5, range: 0...1_000_000)
        throttleAddressHourly = try environment.integer("MEIDUO_THROTTLE_ADDRESS_HOURLY", default: 10, range: 0...1_000_000)
        changeNotice = try environment.bool("MEIDUO_EMAIL_CHANGE_NOTICE", default: true)
        reconfirmable = try environment.bool("EMAIL_RECONFIRMABLE", default: false)
    }
}
