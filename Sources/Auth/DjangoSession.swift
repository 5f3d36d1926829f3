import HTTP

/// What the service needs from a Django session's data: who logged in, through which
/// backend, and under which password (`_auth_user_id`, `_auth_user_backend`, `_auth_user_hash`).
public struct DjangoSession: Sendable, Equatable {
    public let userID: Int64
    public let backend: String
    public let authHash: String

    /// The salt of the db and cached_db engines (`SessionBase.key_salt`).
    public static let databaseSalt = "django.contrib.sessions.SessionStore"
    /// The salt of the signed_cookies engine.
    public static let cookieSalt = "django.contrib.sessions.backends.signed_cookies"

    /// The login in a decoded session, or nil for an anonymous or malformed one (as Django's
    /// `get_user` answers AnonymousUser for it).
    public init?(_ data: [String: JSONValue]) {
        guard let id = data["_auth_user_id"]?.string, let userID = Int64(id), userID > 0,
            let backend = data["_auth_user_backend"]?.string, let hash = data["_auth_user_hash"]?.string, !hash.isEmpty
        else { return nil }
        self.userID = userID
        self.backend = backend
        authHash = hash
    }

    /// A db-engine session key as Django makes them (32 of `[a-z0-9]`); anything else is not
    /// looked up.
    public static func isSessionKey(_ key: String) -> Bool {
        (8...40).contains(key.utf8.count) && key.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }
    }
}
