import Glibc

/// How the mail-sender pool delivers: the transport (Django's EMAIL_* names) and the pool's own.
public struct DeliverySettings: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        case smtp(SMTPSettings)
        /// One `.eml` per message in a folder (EMAIL_FILE_PATH).
        case file(directory: String)
        case console
    }

    public struct SMTPSettings: Sendable, Equatable {
        /// Connecting never waits longer than this, however long EMAIL_TIMEOUT is.
        public static let maximumConnectTimeout = 10.0

        public var host: String
        public var port: Int
        /// STARTTLS, required (EMAIL_USE_TLS).
        public var useTLS: Bool
        /// TLS from the first byte (EMAIL_USE_SSL); never both.
        public var useSSL: Bool
        public var username: String?
        public var password: String?
        public var verifyPeer: Bool
        public var caFile: String?
        /// EMAIL_TIMEOUT: seconds for one whole SMTP transaction.
        public var timeout: Double
        public var connectTimeout: Double { min(timeout, Self.maximumConnectTimeout) }

        public init(
            host: String, port: Int, useTLS: Bool, useSSL: Bool, username: String?, password: String?, verifyPeer: Bool,
            caFile: String?, timeout: Double
        ) {
            self.host = host
            self.port = port
            self.useTLS = useTLS
            self.useSSL = useSSL
            self.username = username
            self.password = password
            self.verifyPeer = verifyPeer
            self.caFile = caFile
            self.timeout = timeout
        }
    }

    public var transport: Transport
    /// Sender processes `serve` starts (MEIDUO_MAIL_WORKERS).
    public var workers: Int
    /// How long a claimed message is one sender's own; after that any sender may take it.
    public var leaseSeconds: Double
    /// Messages claimed at once.
    public var batchSize: Int
    /// The n-th retry waits retryBase × 2^(n-1) s, ± retryJitter of itself.
    public var retryBase: Double
    public var maxRetries: Int
    public var retryJitter: Double
    /// How often an idle sender looks for retries that came due (new mail wakes it at once).
    public var pollInterval: Double
    /// The senders' CPU niceness: above the responder's 0, so requests get the CPU first.
    public var niceness: Int
    /// Seconds the oldest due message may have waited before new mail is refused (503, try
    /// again) rather than queued behind it; 0 never refuses.
    public var maxQueueLag: Double

    /// A lease must outlast one message's longest transaction by this much, so its outcome is
    /// recorded before another sender may take the message.
    public static let leaseMargin = 1.0

    public init(_ environment: Environment) throws {
        let backend = try environment.choice("EMAIL_BACKEND", default: Backend.smtp, Backend.names)
        let timeout = try environment.double("EMAIL_TIMEOUT", default: 30, range: 0.1...600)
        switch backend {
        case .smtp:
            let useTLS = try environment.bool("EMAIL_USE_TLS", default: false)
            let useSSL = try environment.bool("EMAIL_USE_SSL", default: false)
            guard !(useTLS && useSSL) else {
                throw Environment.Problem(description: "EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive: set one of them")
            }
            transport = .smtp(
                SMTPSettings(
                    host: environment.string("EMAIL_HOST", default: "localhost"),
                    port: try environment.integer("EMAIL_PORT", default: 25, range: 1...65535),
                    useTLS: useTLS, useSSL: useSSL,
                    username: environment.string("EMAIL_HOST_USER"), password: environment.string("EMAIL_HOST_PASSWORD"),
                    verifyPeer: try environment.bool("MEIDUO_EMAIL_VERIFY_PEER", default: true),
                    caFile: environment.string("MEIDUO_EMAIL_CA_FILE"), timeout: timeout))
            if case .smtp(let smtp) = transport, smtp.username != nil, !smtp.useTLS, !smtp.useSSL, !Self.isLoopback(smtp.host),
                try !environment.bool("MEIDUO_EMAIL_ALLOW_PLAINTEXT_AUTH", default: false)
            {
                throw Environment.Problem(
                    description:
                        "EMAIL_HOST_USER is set but the connection to \(smtp.host) is not encrypted, so the password would cross the network in clear: set EMAIL_USE_TLS or EMAIL_USE_SSL (or MEIDUO_EMAIL_ALLOW_PLAINTEXT_AUTH=true)"
                )
            }
        case .file:
            transport = .file(directory: environment.string("EMAIL_FILE_PATH", default: "mail"))
        case .console:
            transport = .console
        }
        workers = try environment.integer("MEIDUO_MAIL_WORKERS", default: 2, range: 0...64)
        leaseSeconds = try environment.double("MEIDUO_MAIL_LEASE", default: 60, range: 0.5...86400)
        batchSize = try environment.integer("MEIDUO_MAIL_BATCH", default: 32, range: 1...1000)
        retryBase = try environment.double("MEIDUO_MAIL_RETRY_BASE", default: 3, range: 0.01...3600)
        maxRetries = try environment.integer("MEIDUO_MAIL_MAX_RETRIES", default: 3, range: 0...20)
        retryJitter = try environment.double("MEIDUO_MAIL_RETRY_JITTER", default: 0, range: 0...1)
        pollInterval = try environment.double("MEIDUO_MAIL_POLL_INTERVAL", default: 1, range: 0.01...60)
        niceness = try environment.integer("MEIDUO_MAIL_NICE", default: 10, range: 0...19)
        maxQueueLag = try environment.double("MEIDUO_MAIL_MAX_LAG", default: 10, range: 0...86400)
        if case .smtp = transport, leaseSeconds < timeout + Self.leaseMargin {
            throw Environment.Problem(
                description:
                    "MEIDUO_MAIL_LEASE (\(leaseSeconds)s) must be at least EMAIL_TIMEOUT (\(timeout)s) + \(Self.leaseMargin)s: one message must fit in a lease"
            )
        }
    }

    /// Hosts whose traffic never leaves the machine: `localhost`, and address literals in
    /// 127.0.0.0/8 or ::1. A name that merely starts with "127." (`127.example.net`) is anyone's.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        return withUnsafeBytes(of: &v6) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) }
    }

    private enum Backend {
        case smtp, file, console

        /// Ours, and Django's dotted names, so an operator can copy their settings.
        static let names: KeyValuePairs<String, Backend> = [
            "smtp": .smtp, "file": .file, "console": .console,
            "django.core.mail.backends.smtp.EmailBackend": .smtp,
            "django.core.mail.backends.filebased.EmailBackend": .file,
            "django.core.mail.backends.console.EmailBackend": .console,
        ]
    }
}
