import Codecs
import HTTP
import OpenSSL

/// The verification link's token, wire-compatible with itsdangerous 1.1's
/// `TimedJSONWebSignatureSerializer(SECRET_KEY, expires_in=…)`: a compact JWS
/// `base64url(header).base64url(payload).base64url(signature)` where the header is
/// `{"alg":"HS512","iat":…,"exp":…}`, the payload `{"user_id":…,"email":…}`, and the signature
/// HMAC-SHA512 keyed with the secret itself over `header.payload`. JSON is written as Python's
/// `json.dumps(…, separators=(",", ":"))` writes it, so both sides mint identical tokens.
public enum VerificationToken {
    public struct Claims: Equatable, Sendable {
        public let userID: Int64
        public let email: String

        public init(userID: Int64, email: String) {
            self.userID = userID
            self.email = email
        }
    }

    public enum Failure: Error, Equatable {
        /// Not a token of ours: bad signature, bad encoding, wrong algorithm, missing claims.
        case invalid
        /// Signed by us, but older than its `exp`: what it claimed, for offering another link.
        case expired(Claims)
    }

    /// Longer tokens are not read at all.
    static let maximumLength = 2048

    public static func sign(_ claims: Claims, secret: [UInt8], issuedAt: Int64, expiresIn: Int64) -> String {
        let header = JSONWriter.object(["alg": .string("HS512"), "iat": .int(issuedAt), "exp": .int(issuedAt + expiresIn)], asciiOnly: true)
        let payload = JSONWriter.object(["user_id": .int(claims.userID), "email": .string(claims.email)], asciiOnly: true)
        let signingInput =
            Base64.encodeBytes(header, alphabet: .url, padded: false) + [UInt8(ascii: ".")]
            + Base64.encodeBytes(payload, alphabet: .url, padded: false)
        let signature = HMAC.sha512(key: secret, message: signingInput)
        return String(decoding: signingInput, as: UTF8.self) + "." + Base64.encode(signature, alphabet: .url, padded: false)
    }

    /// Checks the signature first, in constant time, and only then looks inside: nothing of an
    /// unsigned token is parsed.
    public static func verify(_ token: String, secret: [UInt8], now: Int64) -> Result<Claims, Failure> {
        let bytes = Array(token.utf8)
        guard bytes.count <= maximumLength else { return .failure(.invalid) }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3,
            let signature = Base64.decode(String(decoding: parts[2], as: UTF8.self), alphabet: .url, padded: false)
        else { return .failure(.invalid) }
        let signingInput = bytes[..<(parts[0].count + 1 + parts[1].count)]
        guard ConstantTime.equals(HMAC.sha512(key: secret, message: signingInput), signature) else { return .failure(.invalid) }

        guard let header = decodeJSON(parts[0]), header["alg"]?.string == "HS512",
            let expires = header["exp"]?.integer, expires >= 0,
            let payload = decodeJSON(parts[1]),
            let userID = payload["user_id"]?.integer, let email = payload["email"]?.string
        else { return .failure(.invalid) }
        guard expires >= now else { return .failure(.expired(Claims(userID: userID, email: email))) }
        return .success(Claims(userID: userID, email: email))
    }

    private static func decodeJSON(_ part: ArraySlice<UInt8>) -> JSONValue? {
        guard let json = Base64.decode(String(decoding: part, as: UTF8.self), alphabet: .url, padded: false) else { return nil }
        return try? JSONParser.parse(json, maxDepth: 4)
    }
}
