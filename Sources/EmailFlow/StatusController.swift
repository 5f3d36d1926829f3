import Auth
import HTTP
import Processes
import Settings
import Store

/// `GET /emails/status/`: for the logged-in user, the address, whether it is verified, and
/// what became of its newest verification mail, in plain words, with the wait before another
/// may be sent. Never raw SMTP text: that is the operator's (`outbox list`).
public final class StatusController {
    private let database: Database
    private let gate: SessionGate
    private let settings: MailSettings

    public init(database: Database, gate: SessionGate, settings: Settings) {
        self.database = database
        self.gate = gate
        self.settings = settings.mail
    }

    public func status(_ request: Request) throws -> Response {
        let user = try gate.requireUser(for: request)
        guard
            let status = try database.run({
                try EmailStatus.read(
                    userID: user.id, addressInterval: settings.throttleAddressInterval, userHourly: settings.throttleUserHourly,
                    addressHourly: settings.throttleAddressHourly, on: $0)
            })
        else { throw HTTPError.notLoggedIn() }
        let mail = status.mail.map(Self.describe)
        return .json(
            .ok, "OK",
            fields: [
                ("email", .string(status.email)),
                ("email_active", .bool(status.emailActive)),
                ("pending_email", status.pendingEmail.map { .string($0) } ?? .null),
                ("state", mail.map { .string($0.state.rawValue) } ?? .null),
                ("sent_at", mail?.sentAt.map { .string(Clock.iso8601(Double($0))) } ?? .null),
                ("next_attempt_at", mail?.nextAttemptAt.map { .string(Clock.iso8601(Double($0))) } ?? .null),
                ("reason", mail?.reason.map { .string($0) } ?? .null),
                ("retry_after", .int(Int64(status.retryAfter))),
            ])
    }

    /// A mail's state as the user sees it: a queued mail that was tried before is retrying.
    enum ShownState: String {
        case queued, retrying, sending, sent, failed
    }

    struct Described: Equatable {
        let state: ShownState
        let sentAt: Int64?
        let nextAttemptAt: Int64?
        let reason: String?
    }

    static func describe(_ mail: EmailStatus.Mail) -> Described {
        switch mail.status {
        case .sent:
            Described(state: .sent, sentAt: mail.sentAt, nextAttemptAt: nil, reason: nil)
        case .failed:
            Described(state: .failed, sentAt: nil, nextAttemptAt: nil, reason: reason(mail.failure ?? .other))
        case .sending:
            Described(state: .sending, sentAt: nil, nextAttemptAt: nil, reason: nil)
        case .queued where mail.attempts == 0:
            Described(state: .queued, sentAt: nil, nextAttemptAt: nil, reason: nil)
        case .queued:
            Described(state: .retrying, sentAt: nil, nextAttemptAt: mail.dueAt, reason: reason(mail.failure ?? .other))
        }
    }

    /// Plain words for a kind of failure: what it means for the user, nothing of the protocol.
    static func reason(_ kind: Outbox.FailureKind) -> String {
        switch kind {
        case .refused: "收件服务器拒绝了这个邮箱地址，请检查地址是否填写正确"
        case .temporary: "收件服务器暂时不接收邮件"
        case .connection: "邮件服务器暂时无法连接"
        case .timeout: "邮件服务器响应超时"
        case .other: "邮件服务暂时出现故障"
        }
    }
}
