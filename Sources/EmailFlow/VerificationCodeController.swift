import Auth
import EmailCore
import HTTP
import Instruments
import OpenSSL
import Processes
import Settings
import Store

/// `POST /emails/verification/code/`: the 6-digit code of the verification mail, typed on the
/// user center, does what the link does. Session and CSRF as `PUT /emails/`. Only the newest
/// mail's code to the address waiting counts; five wrong tries end it, and wrong codes are
/// limited per user across codes (the login back-off's window), so no mail is a million
/// guesses.
public final class VerificationCodeController {
    private let database: Database
    private let gate: SessionGate
    private let csrf: CSRF
    private let secretKey: [UInt8]
    private let window: Int

    public static let path = "/emails/verification/code/"
    /// Wrong tries one code takes before it is dead.
    static let triesPerCode = 5
    /// Wrong codes one user may type within the window, whichever mails they were for.
    static let wrongCodesPerWindow = 10

    public init(database: Database, gate: SessionGate, settings: Settings) {
        self.database = database
        self.gate = gate
        csrf = CSRF(settings.sessions)
        secretKey = settings.secretKey
        window = settings.loginThrottle.window
    }

    enum Outcome {
        case verified
        case wrong(triesLeft: Int)
        case dead(String)
    }

    public func verify(_ request: Request) throws -> Response {
        let user = try gate.requireUser(for: request)
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        let code = try JSONBody.string("code", in: try JSONBody.object(request.body.bytes()))
        guard VerificationCode.isWellFormed(code) else { throw HTTPError(.badRequest, code: .parameter, "验证码须为6位数字") }

        let subject = Digest.sha256(Array("code:user:\(user.id)".utf8))
        let wait = try database.run {
            try LoginFailures.wait(scope: .code, subject: subject, limit: Self.wrongCodesPerWindow, window: window, on: $0)
        }
        guard wait == 0 else { throw HTTPError.throttled(retryAfter: wait) }

        switch try database.transaction({ try check(code, userID: user.id, in: $0) }) {
        case .verified:
            return .json(.ok, "邮箱验证成功")
        case .wrong(let left):
            _ = try database.run { try LoginFailures.enter(scope: .code, subject: subject, on: $0) }
            throw Self.refusal(left > 0 ? "验证码错误" : "验证码已失效，请重新发送验证邮件", triesLeft: left)
        case .dead(let message):
            throw Self.refusal(message, triesLeft: 0)
        }
    }

    private func check(_ code: String, userID: Int64, in transaction: Transaction) throws -> Outcome {
        guard let waiting = try VerificationCodes.waiting(userID: userID, in: transaction) else {
            return .dead("没有待验证的邮箱")
        }
        guard waiting.live else { return .dead("验证码已过期，请重新发送验证邮件") }
        guard waiting.tries < Self.triesPerCode else { return .dead("验证码已失效，请重新发送验证邮件") }
        guard
            VerificationCode.matches(
                code, stored: waiting.codeHash, userID: userID, email: waiting.email, messageID: waiting.messageID, secret: secretKey)
        else {
            try VerificationCodes.spendTry(outboxID: waiting.outboxID, in: transaction)
            return .wrong(triesLeft: Self.triesPerCode - waiting.tries - 1)
        }
        guard try VerificationCodes.verify(waiting, userID: userID, in: transaction) else { return .dead("没有待验证的邮箱") }
        return .verified
    }

    private static func refusal(_ message: String, triesLeft: Int, fileID: String = #fileID, line: Int = #line) -> HTTPError {
        var error = HTTPError(.badRequest, code: .verificationCode, message, fileID: fileID, line: line)
        error.fields = [("tries_left", .int(Int64(triesLeft)))]
        return error
    }
}
