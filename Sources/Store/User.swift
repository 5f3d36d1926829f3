import MariaDB

public struct User: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let mobile: String
    public let email: String
    public let emailActive: Bool
}

extension User {
    /// The column list every query that builds a `User` selects, in this order.
    static let columns = "u.id, u.username, u.mobile, u.email, u.email_active"

    init(row: Row, from offset: Int = 0) {
        id = row.int(offset)!
        username = row.string(offset + 1)!
        mobile = row.string(offset + 2)!
        email = row.string(offset + 3)!
        emailActive = row.bool(offset + 4)
    }
}
