/// What the email flow needs to know, taken from the service's settings.
public struct EmailFlowSettings: Sendable {
    /// Django's SECRET_KEY: signs the verification tokens.
    public var secretKey: [UInt8]
    /// The link in the mail is `verifyURL + "?token=" + token`; never built from request headers.
    public var verifyURL: String
    /// VERIFY_EMAIL_TOKEN_EXPIRES, seconds.
    public var tokenLifetime: Int64
    public var from: MailAddress
    public var throttle: ThrottlePolicy
    /// VERIFY_EMAIL_CONFIRM_PAGE: the link shows a confirm button instead of verifying at once.
    public var confirmPage: Bool

    public init(secretKey: [UInt8], verifyURL: String, tokenLifetime: Int64, from: MailAddress, throttle: ThrottlePolicy, confirmPage: Bool = false) {
        self.secretKey = secretKey
        self.verifyURL = verifyURL
        self.tokenLifetime = tokenLifetime
        self.from = from
        self.throttle = throttle
        self.confirmPage = confirmPage
    }
}

/// How many verification mails may go out: to one address at most one per `addressInterval`
/// seconds, and per user at most `userHourly` an hour. Zero turns a limit off. The database
/// applies it (`meiduo_bind_email`), so every responder process and host shares it.
public struct ThrottlePolicy: Sendable {
    public var addressInterval: Int
    public var userHourly: Int

    public init(addressInterval: Int = 60, userHourly: Int = 5) {
        self.addressInterval = addressInterval
        self.userHourly = userHourly
    }
}
