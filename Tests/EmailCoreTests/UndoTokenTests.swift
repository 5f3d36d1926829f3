import Codecs
import EmailCore
import OpenSSL
import Testing

@Suite struct UndoTokenTests {
    let secret = Array("undo-test-secret".utf8)
    let now: Int64 = 1_800_000_000

    func issued(lifetime: Int64 = 604_800) -> (claims: UndoToken.Claims, token: String) {
        UndoToken.issue(userID: 42, now: now, lifetime: lifetime, secret: secret)
    }

    @Test func verifiesUntilExpiryAndNamesTheChange() {
        let (claims, token) = issued()
        #expect(claims.userID == 42)
        #expect(claims.id.count == 16)
        #expect(claims.digest == Digest.sha256(claims.id))
        #expect(UndoToken.verify(token, keys: [secret], now: now) == .success(claims))
        #expect(UndoToken.verify(token, keys: [secret], now: now + 604_800) == .success(claims), "its last second still counts")
        #expect(UndoToken.verify(token, keys: [secret], now: now + 604_801) == .failure(.expired(claims)))
    }

    @Test func everyIssueIsANewChangeID() {
        #expect(issued().claims.id != issued().claims.id)
    }

    @Test func isURLSafeAsItIs() {
        let token = issued().token
        #expect(token.utf8.allSatisfy { ASCII.isDigit($0) || ASCII.isLowercase($0) || "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.".utf8.contains($0) })
    }

    @Test func aFallbackKeyVerifiesAndAnotherKeyDoesNot() {
        let (claims, token) = issued()
        #expect(UndoToken.verify(token, keys: [Array("new".utf8), secret], now: now) == .success(claims))
        #expect(UndoToken.verify(token, keys: [Array("other".utf8)], now: now) == .failure(.invalid))
    }

    @Test func aChangedPartBreaksTheSignature() {
        let token = issued().token
        var parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 4)
        let originalUser = parts[0]
        parts[0] = "43"
        #expect(UndoToken.verify(parts.joined(separator: "."), keys: [secret], now: now) == .failure(.invalid), "another user")
        parts[0] = originalUser
        parts[2] = String(now + 10 * 604_800)
        #expect(UndoToken.verify(parts.joined(separator: "."), keys: [secret], now: now) == .failure(.invalid), "a later expiry")
    }

    /// Parts that are signed but not of our shape are refused all the same: a token minted with
    /// the key by anything else (another use of the key) never passes for an undo link.
    @Test func onlyItsOwnShapeIsRead() {
        func signed(_ text: String) -> String {
            let key = HMAC.sha256(key: secret, message: Array("meiduo-email.undo".utf8))
            return text + "." + Base64.encode(HMAC.sha256(key: key, message: Array(text.utf8)), alphabet: .url, padded: false)
        }
        let id = String(repeating: "ab", count: 16)
        #expect(UndoToken.verify(signed("42.\(id).\(now)"), keys: [secret], now: now).isSuccess)
        for bad in [
            "042.\(id).\(now)", "-42.\(id).\(now)", "42.\(id.uppercased()).\(now)", "42.\(id)ab.\(now)", "42.\(id).\(now).1", "42..\(now)",
            "42.\(id).", "４２.\(id).\(now)", "99999999999999999999.\(id).\(now)",
        ] {
            #expect(UndoToken.verify(signed(bad), keys: [secret], now: now) == .failure(.invalid), "\(bad)")
        }
    }

    @Test func garbageIsInvalid() {
        for garbage in ["", ".", "a.b.c.d", String(repeating: "a", count: 5000), issued().token + "x"] {
            #expect(UndoToken.verify(garbage, keys: [secret], now: now) == .failure(.invalid))
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { true } else { false }
    }
}
