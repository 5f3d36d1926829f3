import Glibc
import OpenSSL
import Settings
import Store

/// The login back-off: after `accountFailures` failed logins for an account within the window
/// (or `addressFailures` from one client address, an IPv6 client counted per /64), further
/// attempts are refused until the oldest of them leaves the window, before any password
/// hashing is spent on them. A browser with the account's device cookie is not held back by
/// the account's count (which anyone can raise) but by its own. Counts live in MariaDB, so
/// every thread and instance shares them; a success clears the account's or the device's.
struct LoginThrottle {
    let settings: LoginThrottleSettings

    /// Whom a login attempt counts against: the account when the name is known (whichever of
    /// username or mobile was typed), the name itself otherwise (so unknown names back off the
    /// same way and tell nothing), or the known device instead; and the client's address.
    struct Subjects {
        let first: (scope: LoginFailures.Scope, subject: [UInt8])
        let address: [UInt8]

        init(userID: Int64?, login: String, device: [UInt8]?, address: String) {
            if let device {
                first = (.device, device)
            } else {
                first = (.account, Digest.sha256(Array((userID.map { "user:\($0)" } ?? "name:\(login)").utf8)))
            }
            self.address = Digest.sha256(Array("address:\(Self.clientPrefix(address))".utf8))
        }

        /// An IPv6 client by its /64 (one subscriber's), anything else as it is.
        static func clientPrefix(_ address: String) -> String {
            var bytes = in6_addr()
            guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
            return "v6:" + withUnsafeBytes(of: &bytes) { raw in raw.prefix(8).map { String($0, radix: 16) }.joined(separator: ".") }
        }
    }

    /// An attempt, recorded before its password is checked.
    struct Attempt {
        let ids: [Int64]
        let subjects: Subjects
    }

    /// Records the attempt, then lets it through if it is within every limit; otherwise takes
    /// it back and answers how long to wait and which limit holds it.
    func enter(_ subjects: Subjects, on connection: Link) throws -> Result<Attempt, Refusal> {
        var ids: [Int64] = []
        var refusal: Refusal?
        for (scope, subject, limit) in [
            (subjects.first.scope, subjects.first.subject, settings.accountFailures),
            (.address, subjects.address, settings.addressFailures),
        ] {
            let id = try LoginFailures.enter(scope: scope, subject: subject, on: connection)
            ids.append(id)
            guard limit > 0, try LoginFailures.place(of: id, scope: scope, subject: subject, window: settings.window, on: connection) > limit
            else { continue }
            let wait = try LoginFailures.wait(scope: scope, subject: subject, limit: limit, window: settings.window, on: connection)
            if wait > (refusal?.seconds ?? 0) { refusal = Refusal(seconds: wait, scope: scope == .address ? .address : .account) }
        }
        if let refusal {
            try LoginFailures.remove(ids, window: settings.window, on: connection)
            return .failure(refusal)
        }
        return .success(Attempt(ids: ids, subjects: subjects))
    }

    struct Refusal: Error {
        let seconds: Int
        /// For the metric: `login_account` (the account's or the device's count) or `login_address`.
        let scope: LoginFailures.Scope
    }

    /// The password was right: the attempt was no failure, and the account's (or device's)
    /// earlier ones are forgiven.
    func succeeded(_ attempt: Attempt, on connection: Link) throws {
        try LoginFailures.remove(attempt.ids, window: settings.window, on: connection)
        try LoginFailures.clear(scope: attempt.subjects.first.scope, subject: attempt.subjects.first.subject, on: connection)
    }
}
