/// Meiduo's `RETCODE` values, sent as strings in every JSON body's `code`.
public enum RetCode: String, Sendable {
    case ok = "0"
    case throttled = "4002"
    case necessaryParameter = "4003"
    case notAllowed = "4009"
    case noSession = "4101"
    case database = "5000"
    case email = "5001"
    case parameter = "5006"
    /// Not Meiduo's: the store that holds sessions (the shop's Redis) cannot be reached, so
    /// whether the user is logged in is unknown; 4101 would tell them to log in again.
    case sessionStoreUnavailable = "5101"
}
