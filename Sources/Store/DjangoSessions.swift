internal import MariaDB

/// The shop's `django_session` table (db and cached_db engines), read only: the service never
/// writes a Django session.
public enum DjangoSessions {
    /// The signed session data of a live session. Django compares `expire_date` with its own
    /// clock: UTC when USE_TZ is on (it stores UTC), local time when off. A causal read: the
    /// shop may have written the session through another node a moment ago.
    public static func data(key: String, utc: Bool, on connection: Link) throws -> String? {
        let now = utc ? "UTC_TIMESTAMP(6)" : "NOW(6)"
        return try connection.causalQuery(
            "SELECT session_data FROM django_session WHERE session_key = ? AND expire_date > \(now)", [.text(key)]
        ).first.map { try $0.requiredString(0) }
    }
}
