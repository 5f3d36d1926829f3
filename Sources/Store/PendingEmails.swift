internal import MariaDB

/// Addresses users asked for while their verified one stays (`meiduo_pending_emails`,
/// EMAIL_RECONFIRMABLE): the verification link swaps one in.
public enum PendingEmails {
    public static func find(userID: Int64, on connection: Link) throws -> String? {
        try connection.query("SELECT email FROM meiduo_pending_emails WHERE user_id = ?", [.int(userID)]).first
            .map { try $0.requiredString(0) }
    }
}
