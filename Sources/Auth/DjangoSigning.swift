import Codecs
import HTTP
import OpenSSL
import Zlib

/// Reading what Django's `django.core.signing` wrote (`signing.dumps(obj, salt=…, compress=True)`
/// with the JSON serializer, through a `TimestampSigner`): `payload:timestamp:signature`, where
/// the signature is base64url, unpadded, of HMAC-SHA256 over `payload:timestamp` keyed with
/// SHA-256(salt + "signer" + key); the timestamp is base62; the payload is base64url of the JSON,
/// zlib-compressed when it starts with `.`. Any of the keys may have signed it (SECRET_KEY, then
/// SECRET_KEY_FALLBACKS), as Django's `Signer.unsign` tries them.
public enum DjangoSigning {
    public enum Failure: Error, Equatable {
        case badSignature
        case expired
        case malformed
    }

    /// Signed values longer than this are not looked at (Django's sessions are far shorter).
    static let maximumLength = 64 * 1024
    /// A compressed payload may not inflate to more than this.
    static let maximumPayload = 256 * 1024

    /// The JSON object inside `signed`, checked and decoded. `maxAge` (seconds) refuses values
    /// signed longer ago, as `signing.loads(…, max_age=)` does.
    public static func loadObject(
        _ signed: String, salt: String, keys: [[UInt8]], maxAge: Int? = nil, now: Int64
    ) -> Result<[String: JSONValue], Failure> {
        let bytes = Array(signed.utf8)
        guard bytes.count <= maximumLength, let lastColon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return .failure(.malformed) }
        let value = bytes[..<lastColon]
        guard let signature = Base64.decode(String(decoding: bytes[(lastColon + 1)...], as: UTF8.self), alphabet: .url, padded: false),
            keys.contains(where: { ConstantTime.equals(HMAC.sha256(key: signingKey(salt: salt, key: $0), message: value), signature) })
        else { return .failure(.badSignature) }

        guard let timestampColon = value.lastIndex(of: UInt8(ascii: ":")),
            let timestamp = base62(value[(timestampColon + 1)...])
        else { return .failure(.malformed) }
        if let maxAge, now - timestamp > Int64(maxAge) { return .failure(.expired) }

        var payload = value[..<timestampColon]
        let compressed = payload.first == UInt8(ascii: ".")
        if compressed { payload = payload.dropFirst() }
        guard var json = Base64.decode(String(decoding: payload, as: UTF8.self), alphabet: .url, padded: false) else {
            return .failure(.malformed)
        }
        if compressed {
            guard let inflated = Zlib.decompress(json, limit: maximumPayload) else { return .failure(.malformed) }
            json = inflated
        }
        guard case .object(let object)? = try? JSONParser.parse(json, maxDepth: 8) else { return .failure(.malformed) }
        return .success(object)
    }

    /// Django's `salted_hmac` key: SHA-256 of key salt and secret.
    static func signingKey(salt: String, key: [UInt8]) -> [UInt8] {
        Digest.sha256(Array((salt + "signer").utf8) + key)
    }

    /// `b62_decode`: digits, then lowercase, then uppercase letters; a leading `-` for negatives.
    public static func base62<Bytes: Collection<UInt8>>(_ text: Bytes) -> Int64? {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 11 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            let digit: Int64
            if ASCII.isDigit(byte) {
                digit = Int64(byte - 0x30)
            } else if ASCII.isUppercase(byte) {
                digit = Int64(byte - 0x41) + 10
            } else if ASCII.isLowercase(byte) {
                digit = Int64(byte - 0x61) + 36
            } else {
                return nil
            }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 62)
            guard !overflow else { return nil }
            value = scaled + digit
        }
        return negative ? -value : value
    }
}
