public struct AuthSettings: Sendable {
    /// Django's SESSION_COOKIE_AGE: how long a session lives, and a remembered cookie too.
    public var sessionAge: Int
    /// Mark cookies `Secure` (Django's SESSION_COOKIE_SECURE / CSRF_COOKIE_SECURE).
    public var sessionCookieSecure: Bool
    public var csrfCookieSecure: Bool
    public var hasher: PasswordHasher

    public init(sessionAge: Int = 1_209_600, sessionCookieSecure: Bool = false, csrfCookieSecure: Bool = false, hasher: PasswordHasher = PasswordHasher()) {
        self.sessionAge = sessionAge
        self.sessionCookieSecure = sessionCookieSecure
        self.csrfCookieSecure = csrfCookieSecure
        self.hasher = hasher
    }
}
