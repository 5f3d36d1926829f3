import MariaDB
import OpenSSL
import Settings
import Store

/// The login back-off: after `accountFailures` failed logins for an account within the window
/// (or `addressFailures` from one client address), further attempts are refused until the
/// oldest of them leaves the window, before any password hashing is spent on them. Counts live
/// in MariaDB, so every thread and instance shares them; a success clears the account's.
struct LoginThrottle {
    let settings: LoginThrottleSettings

    /// Whom a login attempt counts against: the account when the name is known (whichever of
    /// username or mobile was typed), the name itself otherwise (so unknown names back off the
    /// same way and tell nothing), and the client's address.
    struct Subjects {
        let account: [UInt8]
        let address: [UInt8]

        init(userID: Int64?, login: String, address: String) {
            account = Digest.sha256(Array((userID.map { "user:\($0)" } ?? "name:\(login)").utf8))
            self.address = Digest.sha256(Array("address:\(address)".utf8))
        }
    }

    /// Seconds until the subjects may try again and which limit holds them back, nil when they
    /// may now.
    func wait(_ subjects: Subjects, on connection: Connection) throws -> (seconds: Int, scope: LoginFailures.Scope)? {
        let recent = try LoginFailures.recent(account: subjects.account, address: subjects.address, window: settings.window, on: connection)
        var longest: (seconds: Int, scope: LoginFailures.Scope)?
        for (scope, subject, limit) in [(LoginFailures.Scope.account, subjects.account, settings.accountFailures),
                                        (.address, subjects.address, settings.addressFailures)]
        where limit > 0 && (recent[scope]?.count ?? 0) >= limit {
            let wait = try LoginFailures.wait(scope: scope, subject: subject, limit: limit, window: settings.window, on: connection)
            if wait > (longest?.seconds ?? 0) { longest = (wait, scope) }
        }
        return longest
    }

    func recordFailure(_ subjects: Subjects, on connection: Connection) throws {
        try LoginFailures.record(account: subjects.account, address: subjects.address, window: settings.window, on: connection)
    }

    func recordSuccess(_ subjects: Subjects, on connection: Connection) throws {
        try LoginFailures.clear(account: subjects.account, on: connection)
    }
}
