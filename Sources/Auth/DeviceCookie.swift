import Codecs
import HTTP
import OpenSSL

/// OWASP's device cookie against online guessing: a browser that has logged in to an account
/// carries `<user id>.<nonce>.<HMAC>`, signed with a key derived from SECRET_KEY. Presented with
/// a login attempt for that same account, it takes the attempt out of the account's lock
/// (which others' failures can trigger) and into a limit of its own.
struct DeviceCookie {
    static let name = "meiduo_device"
    /// A year: a device stays known while it keeps logging in.
    static let age = 365 * 86400

    private let key: [UInt8]

    init(secretKey: [UInt8]) {
        key = Digest.sha256(Array("meiduo_email.device_cookie".utf8) + secretKey)
    }

    /// A new cookie value for a device that just logged in as `userID`.
    func issue(userID: Int64) -> String {
        let body = "\(userID).\(Hex.encode(SecureRandom.bytes(16)))"
        return body + "." + Hex.encode(HMAC.sha256(key: key, message: Array(body.utf8)))
    }

    /// The device's subject (its failures' digest) when `value` is a genuine cookie for `userID`.
    func subject(_ value: String?, userID: Int64?) -> [UInt8]? {
        guard let value, let userID else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Substring(String(userID)), parts[1].utf8.count == 32,
            let mac = Hex.decode(parts[2])
        else { return nil }
        let body = Array("\(parts[0]).\(parts[1])".utf8)
        guard ConstantTime.equals(HMAC.sha256(key: key, message: body), mac) else { return nil }
        return Digest.sha256(Array("device:".utf8) + body)
    }
}
