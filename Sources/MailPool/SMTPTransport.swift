import Curl
import Settings
import Store

/// Delivery over SMTP through libcurl, one kept-open connection per sender process.
final class SMTPTransport: MailTransport {
    private let client: SMTPClient
    private let envelopeSender: String

    init(_ settings: DeliverySettings.SMTPSettings, envelopeSender: String) throws {
        client = try SMTPClient(
            SMTPClient.Options(
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
            throw DeliveryError(message: error.description, kind: Self.kind(of: error), isPermanent: error.isPermanent)
        }
    }

    /// What kind of failure an SMTP error is, from the reply code or, when the server never
    /// answered, curl's code. A refused recipient is the user's to fix; AUTH and TLS troubles
    /// are ours ("other").
    static func kind(of error: SMTPError) -> Outbox.FailureKind {
        switch error.replyCode {
        case 530...535, 454: return .other
        case 500..<600: return .refused
        case 400..<500: return .temporary
        default: break
        }
        switch error.curlCode {
        case 28: return .timeout // CURLE_OPERATION_TIMEDOUT
        case 6, 7, 52, 55, 56: return .connection // could not resolve or connect; nothing sent or received
        default: return .other
        }
    }
}
