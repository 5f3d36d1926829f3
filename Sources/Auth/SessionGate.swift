import HTTP
import Processes
import Settings
import Store

/// Finds the user a request's session cookie belongs to: in the service's own sessions, or,
/// joining a Django shop, in the shop's (its `django_session` rows or its signed cookies),
/// checked as Django 4.2's `get_user` checks them. Either way a session ends when the user's
/// password changes: its auth hash no longer matches.
public struct SessionGate {
    private let database: Database
    private let settings: SessionSettings
    /// SECRET_KEY, then SECRET_KEY_FALLBACKS.
    private let keys: [[UInt8]]

    public init(database: Database, settings: Settings) {
        self.database = database
        self.settings = settings.sessions
        keys = [settings.secretKey] + settings.secretKeyFallbacks
    }

    public var cookieName: String { settings.cookieName }

    /// The logged-in user, or nil for no, malformed, unknown, expired, tampered or outdated session.
    public func user(for request: Request) throws -> User? {
        guard let cookie = request.cookies[settings.cookieName], !cookie.isEmpty else { return nil }
        switch settings.engine {
        case .service:
            guard let digest = SessionID.digest(ofCookie: cookie),
                  let live = try database.run({ try Sessions.live(digest: digest, on: $0) }),
                  SessionAuthHash.matches(live.authHash, passwordHash: live.passwordHash, keys: keys)
            else { return nil }
            return live.user
        case .djangoDatabase:
            guard DjangoSession.isSessionKey(cookie),
                  let data = try database.run({ try DjangoSessions.data(key: cookie, utc: settings.useTimeZone, on: $0) })
            else { return nil }
            return try djangoUser(signed: data, salt: DjangoSession.databaseSalt, maxAge: nil)
        case .djangoSignedCookies:
            return try djangoUser(signed: cookie, salt: DjangoSession.cookieSalt, maxAge: settings.age)
        }
    }

    /// The logged-in user for a JSON endpoint; otherwise the request ends with
    /// `{"code":"4101","errmsg":"用户未登录"}` (the tutorial's `LoginRequiredJSONMixin`).
    public func requireUser(for request: Request) throws -> User {
        guard let user = try user(for: request) else { throw HTTPError.notLoggedIn() }
        return user
    }

    private func djangoUser(signed: String, salt: String, maxAge: Int?) throws -> User? {
        guard case .success(let data) = DjangoSigning.loadObject(signed, salt: salt, keys: keys, maxAge: maxAge, now: Clock.unixSeconds()),
              let session = DjangoSession(data), settings.authenticationBackends.contains(session.backend),
              let found = try database.run({ try Users.activeWithPassword(id: session.userID, on: $0) }),
              SessionAuthHash.matches(Array(session.authHash.utf8), passwordHash: found.passwordHash, keys: keys)
        else { return nil }
        return found.user
    }
}
