internal import MariaDB

public struct User: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let mobile: String
    public let email: String
    public let emailActive: Bool

    public init(id: Int64, username: String, mobile: String, email: String, emailActive: Bool) {
        self.id = id
        self.username = username
        self.mobile = mobile
        self.email = email
        self.emailActive = emailActive
    }
}

extension User {
    /// The column list every query that builds a `User` selects, in this order.
    static let columns = "u.id, u.username, u.mobile, u.email, u.email_active"

    init(row: Row, from offset: Int = 0) throws {
        id = try row.requiredInt(offset)
        username = try row.requiredString(offset + 1)
        mobile = try row.requiredString(offset + 2)
        email = try row.requiredString(offset + 3)
        emailActive = row.bool(offset + 4)
    }
}
