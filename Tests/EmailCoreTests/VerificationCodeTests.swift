import EmailCore
import Testing

@Suite struct VerificationCodeTests {
    let secret = Array("code-test-secret".utf8)

    @Test func isSixASCIIDigitsAndVaries() {
        let codes = (0..<200).map { _ in VerificationCode.generate() }
        #expect(codes.allSatisfy(VerificationCode.isWellFormed))
        #expect(Set(codes).count > 190, "200 draws from a million repeat rarely")
    }

    @Test func leadingZerosAreKept() {
        // Over 2000 draws, a code below 100000 (10 %) is all but certain.
        let codes = (0..<2000).map { _ in VerificationCode.generate() }
        #expect(codes.contains { $0.hasPrefix("0") })
        #expect(codes.allSatisfy { $0.utf8.count == 6 })
    }

    @Test func onlyExactlySixASCIIDigitsAreWellFormed() {
        #expect(VerificationCode.isWellFormed("012345"))
        for bad in ["", "12345", "1234567", " 123456", "123456 ", "12345a", "-12345", "１２３４５６", "12 345", "123456\n"] {
            #expect(!VerificationCode.isWellFormed(bad), "\(bad)")
        }
    }

    @Test func theHashIsBoundToTheUserTheAddressAndTheMail() {
        let stored = VerificationCode.hash("123456", userID: 7, email: "a@example.com", messageID: "<m1@example.com>", secret: secret)
        #expect(stored.count == 32)
        #expect(VerificationCode.matches("123456", stored: stored, userID: 7, email: "a@example.com", messageID: "<m1@example.com>", secret: secret))
        #expect(!VerificationCode.matches("123457", stored: stored, userID: 7, email: "a@example.com", messageID: "<m1@example.com>", secret: secret))
        #expect(!VerificationCode.matches("123456", stored: stored, userID: 8, email: "a@example.com", messageID: "<m1@example.com>", secret: secret))
        #expect(!VerificationCode.matches("123456", stored: stored, userID: 7, email: "b@example.com", messageID: "<m1@example.com>", secret: secret))
        #expect(!VerificationCode.matches("123456", stored: stored, userID: 7, email: "a@example.com", messageID: "<m2@example.com>", secret: secret))
        #expect(
            !VerificationCode.matches(
                "123456", stored: stored, userID: 7, email: "a@example.com", messageID: "<m1@example.com>", secret: Array("other".utf8)))
    }
}
