import HTTP
import Instruments
import Logging
import OpenSSL
import Processes
import Settings
import Store

/// Finds the user a request's session cookie belongs to: in the service's own sessions, or,
/// joining a Django shop, in the shop's (its `django_session` rows, its Redis or its signed
/// cookies), checked as Django 4.2's `get_user` checks them. Either way a session ends when the
/// user's password changes: its auth hash no longer matches.
public struct SessionGate {
    private let database: Database
    /// The shop's Redis and how its values are encoded, for the cache engines.
    private let cache: (store: SessionCache, format: DjangoCacheSession)?
    private let settings: SessionSettings
    /// SECRET_KEY, then SECRET_KEY_FALLBACKS.
    private let keys: [[UInt8]]
    private let logger: Logger
    private let instruments: ResponderInstruments

    public init(database: Database, cache: SessionCache?, settings: Settings, instruments: ResponderInstruments, logger: Logger) {
        self.database = database
        self.instruments = instruments
        if let cache, let cacheSettings = settings.sessions.cache {
            self.cache = (cache, DjangoCacheSession(cacheSettings))
        } else {
            self.cache = nil
        }
        self.settings = settings.sessions
        keys = [settings.secretKey] + settings.secretKeyFallbacks
        self.logger = logger
    }

    public var cookieName: String { settings.cookieName }

    /// A logged-in user and what their session is known by: the SHA-256 of its key (for the
    /// service's own sessions, the digest its row is stored under).
    public struct Session {
        public let user: User
        public let digest: [UInt8]
    }

    /// The logged-in user, or nil for no, malformed, unknown, expired, tampered or outdated session.
    public func user(for request: Request) throws -> User? {
        try session(for: request)?.user
    }

    /// The session, or nil for no, malformed, unknown, expired, tampered or outdated session.
    public func session(for request: Request) throws -> Session? {
        guard let cookie = request.cookies[settings.cookieName], !cookie.isEmpty else { return nil }
        let user: User?
        switch settings.engine {
        case .service:
            guard let digest = SessionID.digest(ofCookie: cookie),
                let live = try database.run({ try Sessions.live(digest: digest, on: $0) }),
                SessionAuthHash.matches(live.authHash, passwordHash: live.passwordHash, keys: keys)
            else { return nil }
            return Session(user: live.user, digest: digest)
        case .djangoDatabase:
            guard DjangoSession.isSessionKey(cookie) else { return nil }
            user = try djangoUser(row: cookie)
        case .djangoCache:
            guard DjangoSession.isSessionKey(cookie), let cache else { return nil }
            let stored: [UInt8]?
            do {
                stored = try cache.store.value(at: cache.format.key(cookie, engine: .cache))
            } catch let error as SessionCacheUnavailable {
                throw HTTPError.sessionStoreUnavailable().causedBy(error)
            }
            guard let stored else { return nil }
            user = try djangoUser(cached: stored, format: cache.format)
        case .djangoCachedDatabase:
            guard DjangoSession.isSessionKey(cookie) else { return nil }
            // As Django's cached_db: the cache first; on a miss, or when the cache fails
            // (counted), the table, which holds every session of this engine.
            if let cache, let stored = try? cache.store.value(at: cache.format.key(cookie, engine: .cachedDatabase)) {
                user = try djangoUser(cached: stored, format: cache.format)
            } else {
                user = try djangoUser(row: cookie)
            }
        case .djangoSignedCookies:
            user = try djangoUser(signed: cookie, salt: DjangoSession.cookieSalt, maxAge: settings.age)
        }
        return user.map { Session(user: $0, digest: Digest.sha256(Array(cookie.utf8))) }
    }

    /// The logged-in user for a JSON endpoint; otherwise the request ends with
    /// `{"code":"4101","errmsg":"用户未登录"}` (the tutorial's `LoginRequiredJSONMixin`).
    public func requireUser(for request: Request) throws -> User {
        try requireSession(for: request).user
    }

    /// The session for a JSON endpoint; otherwise 4101, as `requireUser`.
    public func requireSession(for request: Request) throws -> Session {
        guard let session = try session(for: request) else { throw HTTPError.notLoggedIn() }
        return session
    }

    private func djangoUser(row key: String) throws -> User? {
        guard let data = try database.run({ try DjangoSessions.data(key: key, utc: settings.useTimeZone, on: $0) }) else { return nil }
        return try djangoUser(signed: data, salt: DjangoSession.databaseSalt, maxAge: nil)
    }

    private func djangoUser(cached stored: [UInt8], format: DjangoCacheSession) throws -> User? {
        switch format.decode(stored) {
        case .success(let data):
            return try djangoUser(data)
        case .failure(let refusal):
            instruments.sessionCacheRefused.increment()
            logger.warning("a session in the shop's cache was refused: \(refusal)")
            return nil
        }
    }

    private func djangoUser(signed: String, salt: String, maxAge: Int?) throws -> User? {
        guard case .success(let data) = DjangoSigning.loadObject(signed, salt: salt, keys: keys, maxAge: maxAge, now: Clock.unixSeconds())
        else { return nil }
        return try djangoUser(data)
    }

    /// The check Django's `get_user` makes of a decoded session.
    private func djangoUser(_ data: [String: JSONValue]) throws -> User? {
        guard let session = DjangoSession(data), settings.authenticationBackends.contains(session.backend),
            let found = try database.run({ try Users.activeWithPassword(id: session.userID, on: $0) }),
            SessionAuthHash.matches(Array(session.authHash.utf8), passwordHash: found.passwordHash, keys: keys)
        else { return nil }
        return found.user
    }
}
