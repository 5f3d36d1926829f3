import Auth
import Testing

@Suite struct PasswordHasherTests {
    @Test(arguments: DjangoPasswordVectors.hashes)
    func verifiesHashesMadeByDjango(vector: (password: String, encoded: String)) {
        #expect(PasswordHasher().check(vector.password, against: vector.encoded).verified)
        #expect(!PasswordHasher().check(vector.password + "x", against: vector.encoded).verified)
    }

    @Test func reproducesDjangoHashForTheSameSalt() {
        for vector in DjangoPasswordVectors.hashes {
            let parts = vector.encoded.split(separator: "$")
            let hasher = PasswordHasher(iterations: Int(parts[1])!)
            #expect(hasher.hash(vector.password, salt: String(parts[2])) == vector.encoded)
        }
    }

    @Test func newHashesUseDjango42IterationCount() throws {
        #expect(PasswordHasher.django42Iterations == DjangoPasswordVectors.defaultIterations)
        let encoded = PasswordHasher(iterations: 3).hash("secret")
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        try #require(parts.count == 4)
        #expect(parts[0] == "pbkdf2_sha256")
        #expect(parts[1] == "3")
        #expect(parts[2].count == 22)
        #expect(parts[2].allSatisfy { $0.isLetter || $0.isNumber })
        #expect(PasswordHasher().check("secret", against: encoded).verified)
    }

    @Test func onlyHashesAtFewerIterationsNeedRehashing() {
        let hasher = PasswordHasher(iterations: 5)
        #expect(!hasher.needsRehash(hasher.hash("secret")))
        #expect(hasher.needsRehash(PasswordHasher(iterations: 4).hash("secret")))
        #expect(!hasher.needsRehash(PasswordHasher(iterations: 6).hash("secret")), "never rewritten down")
        #expect(!PasswordHasher().needsRehash(DjangoSessionVectors.newerDjangoHash.encoded), "a newer Django's hash is kept")
        #expect(!hasher.needsRehash("argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA"))
    }

    @Test func saltsDiffer() {
        #expect(PasswordHasher.makeSalt() != PasswordHasher.makeSalt())
    }

    @Test(arguments: [
        "", "pbkdf2_sha256", "pbkdf2_sha1$1$salt$abc", "pbkdf2_sha256$x$salt$abc", "pbkdf2_sha256$0$salt$abc",
        "pbkdf2_sha256$1$$abc", "pbkdf2_sha256$1$salt", "!unusable", "argon2$argon2id$v=19$m=102400,t=2,p=8$abc$def",
    ])
    func malformedHashesNeverVerify(encoded: String) {
        #expect(!PasswordHasher().check("password", against: encoded).verified)
    }
}
