/// Meiduo's `RETCODE` values, sent as strings in every JSON body's `code`.
public enum RetCode: String, Sendable {
    case ok = "0"
    case throttled = "4002"
    case necessaryParameter = "4003"
    /// Meiduo's PWDERR: the password typed is wrong.
    case password = "4005"
    case notAllowed = "4009"
    /// Not Meiduo's: a wrong, used-up or expired verification code.
    case verificationCode = "4010"
    case noSession = "4101"
    /// Not Meiduo's: the session must confirm the password before this change.
    case reauthenticate = "4102"
    case database = "5000"
    case email = "5001"
    case parameter = "5006"
    /// Not Meiduo's: the store that holds sessions (the shop's Redis) cannot be reached, so
    /// whether the user is logged in is unknown; 4101 would tell them to log in again.
    case sessionStoreUnavailable = "5101"
}
