import MariaDB

/// Every setting of the service, read once at start-up. Names follow Django's settings where
/// one exists; the rest carry the `MEIDUO_` prefix.
public struct Settings: Sendable {
    public var database: ConnectionOptions
    public var socketPath: String
    public var socketMode: UInt32
    public var socketGroup: String?
    public var threads: Int
    public var bodyLimit: Int
    public var templatesDirectory: String
    public var sessionAge: Int
    public var sessionCookieSecure: Bool
    public var csrfCookieSecure: Bool
    public var logLevel: String

    public static let defaultThreads = 8
    public static let defaultBodyLimit = 64 * 1024

    /// Settings every command needs: the database and logging.
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
        threads = try environment.integer("MEIDUO_THREADS", default: Self.defaultThreads, range: 1...256)
        bodyLimit = try environment.integer("MEIDUO_BODY_LIMIT", default: Self.defaultBodyLimit, range: 1024...(64 << 20))
        templatesDirectory = environment.string("MEIDUO_TEMPLATES", default: "templates")
        sessionAge = try environment.integer("SESSION_COOKIE_AGE", default: 1_209_600, range: 60...(10 * 365 * 86400))
        sessionCookieSecure = try environment.bool("SESSION_COOKIE_SECURE", default: false)
        csrfCookieSecure = try environment.bool("CSRF_COOKIE_SECURE", default: false)
        logLevel = environment.string("MEIDUO_LOG_LEVEL", default: "info")
    }
}
