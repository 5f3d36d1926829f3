import Processes
import Store

/// Prints each message to standard output, as Django's console backend does, in one write so
/// messages from several senders do not interleave.
final class ConsoleTransport: MailTransport {
    func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError) {
        let separator = Array(String(repeating: "-", count: 79).utf8) + [0x0A]
        guard FileDescriptor.standardOutput.write(mail.message + [0x0A] + separator) else {
            throw .temporary("writing to standard output failed")
        }
    }
}
