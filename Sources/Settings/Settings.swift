import MariaDB

/// Every setting of the service, read once at start-up. Names follow Django's settings where
/// one exists; the rest carry the `MEIDUO_` prefix.
public struct Settings: Sendable {
    // Where things are.
    public var database: ConnectionOptions
    public var socketPath: String
    public var socketMode: UInt32
    public var socketGroup: String?
    /// Who the service runs as when started as root.
    public var user: String
    public var templatesDirectory: String

    // The responder.
    public var threads: Int
    public var bodyLimit: Int
    public var logLevel: String

    // Sessions and cookies (Django's names).
    public var sessionAge: Int
    public var sessionCookieSecure: Bool
    public var csrfCookieSecure: Bool

    // The email flow.
    public var secretKey: String?
    public var emailVerifyURL: String
    public var verifyEmailTokenExpires: Int
    /// The link shows a page with a confirm button, and only that POST verifies: mail scanners
    /// that open links do not verify addresses.
    public var verifyEmailConfirmPage: Bool
    public var emailFrom: String
    public var throttleAddressInterval: Int
    public var throttleUserHourly: Int

    // Mail delivery (Django's names, then the pool's own).
    public var emailBackend: String
    public var emailHost: String
    public var emailPort: Int
    public var emailHostUser: String?
    public var emailHostPassword: String?
    public var emailUseTLS: Bool
    public var emailUseSSL: Bool
    public var emailTimeout: Double
    public var emailFilePath: String
    public var emailVerifyPeer: Bool
    public var emailCAFile: String?
    public var mailWorkers: Int
    public var mailLease: Double
    public var mailBatch: Int
    public var mailRetryBase: Double
    public var mailMaxRetries: Int
    public var mailRetryJitter: Double
    public var mailPollInterval: Double
    public var mailNice: Int

    public static let defaultThreads = 8
    public static let defaultBodyLimit = 64 * 1024

    public init(_ environment: Environment) throws {
        database = ConnectionOptions(
            socket: environment.string("MEIDUO_DB_SOCKET"),
            host: environment.string("MEIDUO_DB_HOST"),
            port: UInt32(try environment.integer("MEIDUO_DB_PORT", default: 3306, range: 1...65535)),
            user: environment.string("MEIDUO_DB_USER", default: "meiduo"),
            password: environment.string("MEIDUO_DB_PASSWORD"),
            database: environment.string("MEIDUO_DB_NAME", default: "meiduo"))
        socketPath = environment.string("MEIDUO_SOCKET", default: "meiduo-email.sock")
        socketMode = try environment.octal("MEIDUO_SOCKET_MODE", default: 0o660)
        socketGroup = environment.string("MEIDUO_SOCKET_GROUP")
        user = environment.string("MEIDUO_USER", default: "nobody")
        templatesDirectory = environment.string("MEIDUO_TEMPLATES", default: "templates")

        threads = try environment.integer("MEIDUO_THREADS", default: Self.defaultThreads, range: 1...256)
        bodyLimit = try environment.integer("MEIDUO_BODY_LIMIT", default: Self.defaultBodyLimit, range: 1024...(64 << 20))
        logLevel = environment.string("MEIDUO_LOG_LEVEL", default: "info")

        sessionAge = try environment.integer("SESSION_COOKIE_AGE", default: 1_209_600, range: 60...(10 * 365 * 86400))
        sessionCookieSecure = try environment.bool("SESSION_COOKIE_SECURE", default: false)
        csrfCookieSecure = try environment.bool("CSRF_COOKIE_SECURE", default: false)

        secretKey = environment.string("SECRET_KEY")
        let port = environment.string("PORT", default: "8080")
        emailVerifyURL = environment.string("EMAIL_VERIFY_URL", default: "http://127.0.0.1:\(port)/emails/verification/")
        verifyEmailTokenExpires = try environment.integer("VERIFY_EMAIL_TOKEN_EXPIRES", default: 86400, range: 1...(365 * 86400))
        verifyEmailConfirmPage = try environment.bool("VERIFY_EMAIL_CONFIRM_PAGE", default: false)
        emailFrom = environment.string("EMAIL_FROM", default: "美多商城<hmmeiduo@163.com>")
        throttleAddressInterval = try environment.integer("MEIDUO_THROTTLE_ADDRESS_INTERVAL", default: 60, range: 0...86400)
        throttleUserHourly = try environment.integer("MEIDUO_THROTTLE_USER_HOURLY", default: 5, range: 0...1_000_000)

        emailBackend = environment.string("EMAIL_BACKEND", default: "smtp")
        emailHost = environment.string("EMAIL_HOST", default: "localhost")
        emailPort = try environment.integer("EMAIL_PORT", default: 25, range: 1...65535)
        emailHostUser = environment.string("EMAIL_HOST_USER")
        emailHostPassword = environment.string("EMAIL_HOST_PASSWORD")
        emailUseTLS = try environment.bool("EMAIL_USE_TLS", default: false)
        emailUseSSL = try environment.bool("EMAIL_USE_SSL", default: false)
        emailTimeout = try environment.double("EMAIL_TIMEOUT", default: 30, range: 0.1...600)
        emailFilePath = environment.string("EMAIL_FILE_PATH", default: "mail")
        emailVerifyPeer = try environment.bool("MEIDUO_EMAIL_VERIFY_PEER", default: true)
        emailCAFile = environment.string("MEIDUO_EMAIL_CA_FILE")
        mailWorkers = try environment.integer("MEIDUO_MAIL_WORKERS", default: 2, range: 0...64)
        mailLease = try environment.double("MEIDUO_MAIL_LEASE", default: 60, range: 0.5...86400)
        mailBatch = try environment.integer("MEIDUO_MAIL_BATCH", default: 32, range: 1...1000)
        mailRetryBase = try environment.double("MEIDUO_MAIL_RETRY_BASE", default: 3, range: 0.01...3600)
        mailMaxRetries = try environment.integer("MEIDUO_MAIL_MAX_RETRIES", default: 3, range: 0...20)
        mailRetryJitter = try environment.double("MEIDUO_MAIL_RETRY_JITTER", default: 0, range: 0...1)
        mailPollInterval = try environment.double("MEIDUO_MAIL_POLL_INTERVAL", default: 1, range: 0.01...60)
        mailNice = try environment.integer("MEIDUO_MAIL_NICE", default: 10, range: 0...19)
    }

    /// The settings `serve` cannot run without, checked before anything starts.
    public func requireServing() throws {
        guard let secretKey, !secretKey.isEmpty else {
            throw Environment.Problem(description: "SECRET_KEY is not set: it signs the verification links (use the Django project's SECRET_KEY to share links with it)")
        }
        guard emailVerifyURL.hasPrefix("http://") || emailVerifyURL.hasPrefix("https://") else {
            throw Environment.Problem(description: "EMAIL_VERIFY_URL must be an http:// or https:// URL, not '\(emailVerifyURL)'")
        }
        guard !(emailUseTLS && emailUseSSL) else {
            throw Environment.Problem(description: "EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive: set one of them")
        }
    }
}
