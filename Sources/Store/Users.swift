internal import MariaDB

/// Queries on `tb_users`.
public enum Users {
    public struct Credentials: Sendable {
        public let user: User
        public let passwordHash: String
        public let isActive: Bool
    }

    public enum Login: Sendable {
        case username(String)
        case mobile(String)
    }

    public static func credentials(for login: Login, on connection: Link) throws -> Credentials? {
        let (column, value) =
            switch login {
            case .username(let name): ("username", name)
            case .mobile(let number): ("mobile", number)
            }
        // Causal: the account, or its new password, may have been written through another node a
        // moment ago (the shop's sign-up, `user passwd`).
        let rows = try connection.causalQuery(
            "SELECT \(User.columns), u.password, u.is_active FROM tb_users u WHERE u.\(column) = ?", [.text(value)])
        return try rows.first.map { Credentials(user: try User(row: $0), passwordHash: try $0.requiredString(5), isActive: $0.bool(6)) }
    }

    /// An active user and their password hash, for checking a session's binding to it. A causal
    /// read: a password changed through another node ends the session at once.
    public static func activeWithPassword(id: Int64, on connection: Link) throws -> (user: User, passwordHash: String)? {
        try connection.causalQuery("SELECT \(User.columns), u.password FROM tb_users u WHERE u.id = ? AND u.is_active = 1", [.int(id)])
            .first.map { (try User(row: $0), try $0.requiredString(5)) }
    }

    public static func find(id: Int64, on connection: Link) throws -> User? {
        try connection.query("SELECT \(User.columns) FROM tb_users u WHERE u.id = ?", [.int(id)]).first.map { try User(row: $0) }
    }

    /// Inserts a user the way Django's `create_user` would; answers the new id. Only Meiduo's
    /// own columns, so it works on a shop's table that lacks `default_address_id`.
    public static func create(username: String, mobile: String, passwordHash: String, on connection: Link) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO tb_users (password, last_login, is_superuser, username, first_name, last_name, email,
                is_staff, is_active, date_joined, mobile, email_active)
            VALUES (?, NULL, 0, ?, '', '', '', 0, 1, NOW(6), ?, 0)
            """,
            [.text(passwordHash), .text(username), .text(mobile)])
    }

    /// Sets the password and ends the user's sessions; answers false when there is no such user.
    public static func setPassword(username: String, passwordHash: String, in connection: Transaction) throws -> Bool {
        guard let id = try connection.query("SELECT id FROM tb_users WHERE username = ? FOR UPDATE", [.text(username)]).first
        else { return false }
        let userID = try id.requiredInt(0)
        try connection.execute("UPDATE tb_users SET password = ? WHERE id = ?", [.text(passwordHash), .int(userID)])
        try Sessions.deleteAll(userID: userID, on: connection.link)
        return true
    }

    /// Replaces a password hash only if it is still `old`: a password changed meanwhile wins.
    /// Answers whether it was replaced.
    @discardableResult
    public static func replacePasswordHash(userID: Int64, old: String, new: String, on connection: Link) throws -> Bool {
        try connection.execute(
            "UPDATE tb_users SET password = ? WHERE id = ? AND password = ?", [.text(new), .int(userID), .text(old)]) == 1
    }

    public static func recordLogin(userID: Int64, on connection: Link) throws {
        try connection.execute("UPDATE tb_users SET last_login = NOW(6) WHERE id = ?", [.int(userID)])
    }
}

extension Users {
    /// Marks the address verified if it is the user's address, byte for byte; one statement,
    /// atomic by itself. The row counts as matched when it was already verified, so a second
    /// click succeeds too.
    public static func activateEmail(userID: Int64, email: String, on connection: Link) throws -> Bool {
        try connection.execute(
            "UPDATE tb_users SET email_active = 1 WHERE id = ? AND BINARY email = ?", [.int(userID), .text(email)]) == 1
    }

    /// Swaps in the address the user asked for while a verified one stayed (EMAIL_RECONFIRMABLE)
    /// and marks it verified. Answers false when it is not their pending address.
    public static func activatePendingEmail(userID: Int64, email: String, in connection: Transaction) throws -> Bool {
        guard
            try connection.execute(
                """
                UPDATE tb_users u JOIN meiduo_pending_emails p ON p.user_id = u.id SET u.email = p.email, u.email_active = 1
                WHERE u.id = ? AND BINARY p.email = ?
                """, [.int(userID), .text(email)]) == 1
        else { return false }
        try connection.execute("DELETE FROM meiduo_pending_emails WHERE user_id = ?", [.int(userID)])
        return true
    }
}
