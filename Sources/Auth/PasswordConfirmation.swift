import HTTP
import Instruments
import Settings
import Store

/// A logged-in user typing their password again before a change that could take the account
/// (replacing a verified address): checked against the user's hash (the shop's, when joining
/// one), under the login back-off, so a stolen session cannot guess the password faster than
/// the login form allows. A right one marks the session confirmed for the reauth window.
public struct PasswordConfirmation {
    private let database: Database
    private let hasher: PasswordHasher
    private let throttle: LoginThrottle
    private let devices: DeviceCookie
    private let window: Int
    private let instruments: ResponderInstruments

    public enum Verdict: Equatable {
        case confirmed
        case wrong
        /// The back-off holds: not checked; seconds to wait.
        case held(seconds: Int)
    }

    public init(database: Database, settings: Settings, instruments: ResponderInstruments) {
        self.database = database
        self.instruments = instruments
        hasher = PasswordHasher(iterations: settings.sessions.passwordIterations)
        throttle = LoginThrottle(settings: settings.loginThrottle)
        devices = DeviceCookie(secretKey: settings.secretKey)
        window = settings.accountSafety.reauthWindow
    }

    public func confirm(_ password: String, session: SessionGate.Session, request: Request) throws -> Verdict {
        let user = session.user
        let (stored, entered) = try database.run { connection in
            let stored = try Users.activeWithPassword(id: user.id, on: connection)?.passwordHash
            let device = devices.subject(request.cookies[DeviceCookie.name], userID: user.id)
            let subjects = LoginThrottle.Subjects(userID: user.id, login: user.username, device: device, address: request.remoteAddress)
            return (stored, try throttle.enter(subjects, on: connection))
        }
        switch entered {
        case .failure(let wait):
            instruments.throttled[wait.scope == .address ? .loginAddress : .loginAccount].increment()
            return .held(seconds: wait.seconds)
        case .success(let attempt):
            guard hasher.check(password, against: stored).verified else {
                // The attempt's rows stay: they are its failure.
                instruments.loginFailures.increment()
                return .wrong
            }
            try database.run { connection in
                try throttle.succeeded(attempt, on: connection)
                try PasswordConfirmations.record(sessionDigest: session.digest, userID: user.id, window: window, on: connection)
            }
            return .confirmed
        }
    }
}
