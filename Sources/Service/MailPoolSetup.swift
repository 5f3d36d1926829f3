import EmailFlow
import MailPool
import Settings

extension PoolSettings {
    /// The pool's settings from the service's, checked: a bad backend name stops start-up.
    public init(settings: Settings) throws {
        let sender = try App.Resources.sender(settings)
        guard let backend = TransportSettings.backend(named: settings.emailBackend) else {
            throw Environment.Problem(description: "EMAIL_BACKEND '\(settings.emailBackend)' is not supported: use smtp, file or console (or Django's dotted names for them)")
        }
        let transport: TransportSettings = switch backend {
        case .smtp:
            .smtp(.init(
                host: settings.emailHost, port: settings.emailPort, useTLS: settings.emailUseTLS, useSSL: settings.emailUseSSL,
                username: settings.emailHostUser, password: settings.emailHostPassword, verifyPeer: settings.emailVerifyPeer,
                caFile: settings.emailCAFile, timeoutSeconds: settings.emailTimeout))
        case .file: .file(directory: settings.emailFilePath)
        case .console: .console
        }
        self.init(
            workers: settings.mailWorkers, leaseSeconds: settings.mailLease, batchSize: settings.mailBatch,
            retry: RetrySchedule(base: settings.mailRetryBase, maxRetries: settings.mailMaxRetries, jitter: settings.mailRetryJitter),
            pollInterval: settings.mailPollInterval, envelopeSender: sender.address, transport: transport,
            niceness: Int32(settings.mailNice))
    }
}
