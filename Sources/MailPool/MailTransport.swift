import Settings
import Store

/// Where a message goes: an SMTP server, a folder, or standard output.
public protocol MailTransport {
    func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError)
}

/// A delivery that did not happen: what went wrong (for the log and the operator), its kind
/// (for the user and the metrics), and whether trying again can help.
public struct DeliveryError: Error, Equatable {
    public let message: String
    public let kind: Outbox.FailureKind
    /// Will not succeed later: a 5xx reply. Otherwise (connection trouble, a 4xx reply, a full
    /// disk) it may.
    public let isPermanent: Bool

    public init(message: String, kind: Outbox.FailureKind, isPermanent: Bool) {
        self.message = message
        self.kind = kind
        self.isPermanent = isPermanent
    }

    static func temporary(_ message: String, _ kind: Outbox.FailureKind = .other) -> DeliveryError {
        DeliveryError(message: message, kind: kind, isPermanent: false)
    }
}

extension DeliverySettings.Transport {
    /// The transport these settings describe; `envelopeSender` is MAIL FROM.
    func makeTransport(envelopeSender: String) throws -> MailTransport {
        switch self {
        case .smtp(let settings): try SMTPTransport(settings, envelopeSender: envelopeSender)
        case .file(let directory): try FileTransport(directory: directory)
        case .console: ConsoleTransport()
        }
    }
}
