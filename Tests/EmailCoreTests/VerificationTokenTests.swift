import Codecs
import EmailCore
import OpenSSL
import Testing

@Suite struct VerificationTokenTests {
    let secret = Array("django-insecure-test-secret".utf8)
    let claims = VerificationToken.Claims(userID: 1, email: "zhangjiesharp@163.com")

    func token(issuedAt: Int64 = 1_557_895_065, expiresIn: Int64 = 86400) -> String {
        VerificationToken.sign(claims, secret: secret, issuedAt: issuedAt, expiresIn: expiresIn)
    }

    func part(_ text: String) -> String {
        Base64.encode(Array(text.utf8), alphabet: .url, padded: false)
    }

    /// A token with the given header and payload JSON, correctly signed.
    func signed(header: String, payload: String) -> String {
        let input = part(header) + "." + part(payload)
        return input + "." + Base64.encode(HMAC512.sign(secret, input), alphabet: .url, padded: false)
    }

    @Test func headerAndPayloadAreWhatItsdangerousWrites() {
        let parts = token().split(separator: ".")
        #expect(parts.count == 3)
        #expect(String(parts[0]) == "eyJhbGciOiJIUzUxMiIsImlhdCI6MTU1Nzg5NTA2NSwiZXhwIjoxNTU3OTgxNDY1fQ", "the tutorial's own header")
        #expect(String(parts[1]) == "eyJ1c2VyX2lkIjoxLCJlbWFpbCI6InpoYW5namllc2hhcnBAMTYzLmNvbSJ9", "the tutorial's own payload")
        #expect(parts[2].count == 86, "512 bits, unpadded")
    }

    @Test func verifiesUntilExpiry() {
        let now: Int64 = 1_557_895_065
        #expect(VerificationToken.verify(token(), secret: secret, now: now) == .success(claims))
        #expect(VerificationToken.verify(token(), secret: secret, now: now + 86400) == .success(claims), "exp itself is still valid")
        #expect(VerificationToken.verify(token(), secret: secret, now: now + 86401) == .failure(.expired(claims)))
    }

    @Test func anotherSecretIsInvalid() {
        #expect(VerificationToken.verify(token(), secret: Array("other".utf8), now: 1_557_895_065) == .failure(.invalid))
    }

    @Test func tamperingWithAnyPartIsInvalid() {
        let original = token()
        let parts = original.split(separator: ".").map(String.init)
        var tampered: [String] = []
        for index in 0..<3 {
            var copy = parts
            var bytes = Array(copy[index].utf8)
            bytes[bytes.count / 2] = bytes[bytes.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            copy[index] = String(decoding: bytes, as: UTF8.self)
            tampered.append(copy.joined(separator: "."))
        }
        // A later expiry, re-encoded but with the old signature.
        tampered.append(part(#"{"alg":"HS512","iat":1557895065,"exp":9999999999}"#) + "." + parts[1] + "." + parts[2])
        // Another user, with the old signature.
        tampered.append(parts[0] + "." + part(#"{"user_id":2,"email":"zhangjiesharp@163.com"}"#) + "." + parts[2])
        tampered.append(parts[0] + "." + parts[1] + "." + parts[2].dropLast(2))
        tampered.append(parts[0] + "." + parts[1] + ".")
        tampered.append(parts[0] + "." + parts[1])
        tampered.append(original + ".")
        tampered.append(original + "=")
        for token in tampered {
            #expect(VerificationToken.verify(token, secret: secret, now: 1_557_895_065) == .failure(.invalid), "\(token)")
        }
    }

    @Test func onlyHS512IsAccepted() {
        for alg in ["HS256", "none", "hs512", "HS512 "] {
            let token = signed(header: #"{"alg":"\#(alg)","iat":1,"exp":9999999999}"#, payload: #"{"user_id":1,"email":"a@b.cn"}"#)
            #expect(VerificationToken.verify(token, secret: secret, now: 2) == .failure(.invalid), "\(alg)")
        }
        let missing = signed(header: #"{"iat":1,"exp":9999999999}"#, payload: #"{"user_id":1,"email":"a@b.cn"}"#)
        #expect(VerificationToken.verify(missing, secret: secret, now: 2) == .failure(.invalid))
        let good = signed(header: #"{"alg":"HS512","iat":1,"exp":9999999999}"#, payload: #"{"user_id":1,"email":"a@b.cn"}"#)
        #expect(VerificationToken.verify(good, secret: secret, now: 2) == .success(.init(userID: 1, email: "a@b.cn")))
    }

    @Test func badJSONOrMissingClaimsAreInvalidEvenWhenSigned() {
        let cases: [(String, String)] = [
            ("not json", #"{"user_id":1,"email":"a@b.cn"}"#),
            (#"{"alg":"HS512","iat":1,"exp":9999999999}"#, "not json"),
            (#"{"alg":"HS512","iat":1}"#, #"{"user_id":1,"email":"a@b.cn"}"#),
            (#"{"alg":"HS512","exp":"tomorrow"}"#, #"{"user_id":1,"email":"a@b.cn"}"#),
            (#"{"alg":"HS512","exp":-1}"#, #"{"user_id":1,"email":"a@b.cn"}"#),
            (#"{"alg":"HS512","exp":9999999999}"#, #"{"email":"a@b.cn"}"#),
            (#"{"alg":"HS512","exp":9999999999}"#, #"{"user_id":"1","email":"a@b.cn"}"#),
            (#"{"alg":"HS512","exp":9999999999}"#, #"{"user_id":1}"#),
            (#"{"alg":"HS512","exp":9999999999}"#, #"{"user_id":1,"email":7}"#),
            (#"{"alg":"HS512","exp":9999999999}"#, #"[1,"a@b.cn"]"#),
            (#"["HS512"]"#, #"{"user_id":1,"email":"a@b.cn"}"#),
        ]
        for (header, payload) in cases {
            #expect(
                VerificationToken.verify(signed(header: header, payload: payload), secret: secret, now: 2) == .failure(.invalid),
                "\(header) \(payload)")
        }
    }

    @Test func badBase64IsInvalid() {
        for token in ["", "...", "a.b.c", "!!!.???.***", "eyJhbGciOiJIUzUxMiJ9.eyJ1c2VyX2lkIjoxfQ.###", String(repeating: "a", count: 5000)] {
            #expect(VerificationToken.verify(token, secret: secret, now: 2) == .failure(.invalid))
        }
    }

    @Test func expiredIsReportedOnlyForGenuineTokens() {
        let forged = token(issuedAt: 0, expiresIn: 1).dropLast(3) + "AAA"
        #expect(VerificationToken.verify(String(forged), secret: secret, now: 1_000_000) == .failure(.invalid))
    }
}

/// HMAC-SHA512 for building signed test tokens by hand.
enum HMAC512 {
    static func sign(_ key: [UInt8], _ input: String) -> [UInt8] {
        HMAC.sha512(key: key, message: Array(input.utf8))
    }
}
