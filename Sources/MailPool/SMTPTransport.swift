import Curl
import Settings
import Store

/// Delivery over SMTP through libcurl, one kept-open connection per sender process.
final class SMTPTransport: MailTransport {
    private let client: SMTPClient
    private let envelopeSender: String

    init(_ settings: DeliverySettings.SMTPSettings, envelopeSender: String) throws {
        client = try SMTPClient(SMTPClient.Options(
            host: settings.host, port: settings.port,
            security: settings.useSSL ? .implicitTLS : settings.useTLS ? .startTLS : .none,
            username: settings.username, password: settings.password,
            verifyPeer: settings.verifyPeer, caFile: settings.caFile,
            connectTimeoutMilliseconds: Int(settings.connectTimeout * 1000), timeoutMilliseconds: Int(settings.timeout * 1000)))
        self.envelopeSender = envelopeSender
    }

    func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError) {
        do {
            try client.send(from: envelopeSender, to: [mail.recipient], message: mail.message)
        } catch {
            throw error.isPermanent ? .permanent(error.description) : .temporary(error.description)
        }
    }
}
