import Glibc
import Store

/// Prints each message to standard output, as Django's console backend does, in one write so
/// messages from several senders do not interleave.
final class ConsoleTransport: MailTransport {
    func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError) {
        let separator = Array(String(repeating: "-", count: 79).utf8) + [0x0A]
        let text = mail.message + [0x0A] + separator
        let written = text.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        guard written == text.count else { throw .temporary("writing to standard output failed") }
    }
}
