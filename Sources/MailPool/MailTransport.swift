import Settings
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
