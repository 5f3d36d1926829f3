import Auth
import Codecs
import OpenSSL
import Testing

@Suite struct SessionIDTests {
    @Test func cookieCarries256BitsAndTheDigestIsTheirSHA256() {
        let session = SessionID.generate()
        #expect(session.cookieValue.count == 64)
        let bits = Hex.decode(session.cookieValue)!
        #expect(bits.count == 32)
        #expect(session.digest == Digest.sha256(bits))
        #expect(SessionID.digest(ofCookie: session.cookieValue) == session.digest)
    }

    @Test func digestIsNotTheIdItself() {
        let session = SessionID.generate()
        #expect(Hex.encode(session.digest) != session.cookieValue)
    }

    @Test func idsAreFresh() {
        #expect(SessionID.generate().cookieValue != SessionID.generate().cookieValue)
    }

    @Test func knownDigest() {
        // SHA-256 of 32 zero bytes.
        let digest = SessionID.digest(ofCookie: String(repeating: "0", count: 64))
        #expect(digest.map(Hex.encode) == "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925")
    }

    @Test(arguments: [
        "", "abc", String(repeating: "g", count: 64), String(repeating: "0", count: 63), String(repeating: "0", count: 66), "../../etc/passwd",
    ])
    func malformedCookiesHaveNoDigest(cookie: String) {
        #expect(SessionID.digest(ofCookie: cookie) == nil)
    }
}
