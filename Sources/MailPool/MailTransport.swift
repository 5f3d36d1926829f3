import Store

/// Where a message goes: an SMTP server, a folder, or standard output.
public protocol MailTransport {
    func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError)
}

public enum DeliveryError: Error, Equatable {
    /// May succeed later: connection trouble, a 4xx reply, a full disk.
    case temporary(String)
    /// Will not succeed: a 5xx reply.
    case permanent(String)
}

/// Which transport, and its settings. Django's dotted backend names are accepted too.
public enum TransportSettings: Sendable {
    case smtp(SMTPSettings)
    case file(directory: String)
    case console

    public struct SMTPSettings: Sendable {
        public var host: String
        public var port: Int
        public var useTLS: Bool
        public var useSSL: Bool
        public var username: String?
        public var password: String?
        public var verifyPeer: Bool
        public var caFile: String?
        public var timeoutSeconds: Double

        public init(host: String, port: Int, useTLS: Bool, useSSL: Bool, username: String?, password: String?, verifyPeer: Bool, caFile: String?, timeoutSeconds: Double) {
            self.host = host
            self.port = port
            self.useTLS = useTLS
            self.useSSL = useSSL
            self.username = username
            self.password = password
            self.verifyPeer = verifyPeer
            self.caFile = caFile
            self.timeoutSeconds = timeoutSeconds
        }
    }

    public enum Backend: String, Sendable {
        case smtp, file, console
    }

    /// `smtp`, `file`, `console`, or Django's `django.core.mail.backends.<name>.EmailBackend`.
    public static func backend(named name: String) -> Backend? {
        switch name {
        case "smtp", "django.core.mail.backends.smtp.EmailBackend": .smtp
        case "file", "filebased", "django.core.mail.backends.filebased.EmailBackend": .file
        case "console", "django.core.mail.backends.console.EmailBackend": .console
        default: nil
        }
    }

    func makeTransport(envelopeSender: String) throws -> MailTransport {
        switch self {
        case .smtp(let settings): try SMTPTransport(settings, envelopeSender: envelopeSender)
        case .file(let directory): try FileTransport(directory: directory)
        case .console: ConsoleTransport()
        }
    }
}
