import HTTP
import Store

/// Finds the user a request's `sessionid` cookie belongs to.
public struct SessionGate {
    public static let cookieName = "sessionid"

    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The logged-in user, or nil for no, malformed, unknown or expired session.
    public func user(for request: Request) throws -> User? {
        guard let cookie = request.cookies[Self.cookieName], let digest = SessionID.digest(ofCookie: cookie) else {
            return nil
        }
        return try database.run { try Sessions.user(digest: digest, on: $0) }
    }

    /// The logged-in user for a JSON endpoint; otherwise the request ends with
    /// `{"code":"4101","errmsg":"用户未登录"}` (the tutorial's `LoginRequiredJSONMixin`).
    public func requireUser(for request: Request) throws -> User {
        guard let user = try user(for: request) else { throw HTTPError.notLoggedIn() }
        return user
    }
}
