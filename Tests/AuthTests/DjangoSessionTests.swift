import Auth
import Codecs
import HTTP
import Testing

/// Django 4.2's signed session data, read here as Django reads it, against values real
/// Django wrote (DjangoSessionVectors).
@Suite struct DjangoSessionTests {
    typealias V = DjangoSessionVectors
    let now = Int64(V.signedAt) + 60

    func keys(_ secret: String, _ fallbacks: [String] = []) -> [[UInt8]] {
        ([secret] + fallbacks).map { Array($0.utf8) }
    }

    @Test(arguments: V.dbSessions.map { $0.label })
    func dbSessionDataDecodesToWhatDjangoSerialized(label: String) throws {
        let vector = try #require(V.dbSessions.first { $0.label == label })
        #expect(vector.sessionData.hasPrefix(".") == vector.compressed)
        let decoded = DjangoSigning.loadObject(
            vector.sessionData, salt: DjangoSession.databaseSalt, keys: keys(vector.secretKey, vector.fallbackKeys), now: now)
        #expect(decoded == .success(try JSONParser.parse(Array(vector.json.utf8)).objectFields))
    }

    @Test(arguments: V.dbRejected.map { $0.label })
    func dbSessionDataDjangoRefusesIsRefused(label: String) throws {
        let vector = try #require(V.dbRejected.first { $0.label == label })
        guard case .failure = DjangoSigning.loadObject(vector.sessionData, salt: DjangoSession.databaseSalt, keys: keys(V.secretKey), now: now)
        else {
            Issue.record("\(label) was accepted")
            return
        }
    }

    @Test func aFallbackKeyIsNeededForDataItSigned() throws {
        let vector = try #require(V.dbSessions.first { !$0.fallbackKeys.isEmpty })
        let withoutFallbacks = DjangoSigning.loadObject(vector.sessionData, salt: DjangoSession.databaseSalt, keys: keys(vector.secretKey), now: now)
        #expect(withoutFallbacks == .failure(.badSignature))
    }

    @Test(arguments: V.signedCookies.map { $0.label })
    func signedCookiesDecodeUntilTheirAgeRunsOut(label: String) throws {
        let vector = try #require(V.signedCookies.first { $0.label == label })
        let keys = keys(vector.secretKey, vector.fallbackKeys)
        let expected = try JSONParser.parse(Array(vector.json.utf8)).objectFields
        func load(at time: Int) -> Result<[String: JSONValue], DjangoSigning.Failure> {
            DjangoSigning.loadObject(vector.cookie, salt: DjangoSession.cookieSalt, keys: keys, maxAge: V.sessionCookieAge, now: Int64(time))
        }
        #expect(load(at: V.signedAt + V.sessionCookieAge) == .success(expected), "exactly max_age old is still valid")
        #expect(load(at: V.signedAt + V.sessionCookieAge + 1) == .failure(.expired))
    }

    @Test(arguments: V.cookieRejected.map { $0.label })
    func cookiesDjangoRefusesAreRefused(label: String) throws {
        let vector = try #require(V.cookieRejected.first { $0.label == label })
        let result = DjangoSigning.loadObject(
            vector.cookie, salt: DjangoSession.cookieSalt, keys: keys(V.secretKey), maxAge: V.sessionCookieAge, now: now)
        #expect(result == .failure(.badSignature) || result == .failure(.malformed), "\(label)")
    }

    @Test(arguments: V.base62)
    func base62(vector: (value: Int, encoded: String)) {
        #expect(DjangoSigning.base62(Array(vector.encoded.utf8)) == Int64(vector.value))
    }

    @Test(arguments: V.authHashes.indices)
    func sessionAuthHashIsDjangos(index: Int) {
        let vector = V.authHashes[index]
        let hash = SessionAuthHash.compute(passwordHash: vector.passwordHash, key: Array(vector.secretKey.utf8))
        #expect(Hex.encode(hash) == vector.sessionAuthHash)
        #expect(
            SessionAuthHash.matches(
                Array(vector.sessionAuthHash.utf8), passwordHash: vector.passwordHash,
                keys: [Array("another".utf8), Array(vector.secretKey.utf8)]))
        #expect(SessionAuthHash.matches(hash, passwordHash: vector.passwordHash, keys: [Array(vector.secretKey.utf8)]), "raw bytes too")
        #expect(
            !SessionAuthHash.matches(
                Array(vector.sessionAuthHash.utf8), passwordHash: vector.passwordHash + "x",
                keys: [Array(vector.secretKey.utf8)]), "another password")
        #expect(!SessionAuthHash.matches([], passwordHash: vector.passwordHash, keys: [Array(vector.secretKey.utf8)]))
    }

    @Test func theLoginInASession() throws {
        let login = try #require(V.dbSessions.first { $0.label == "a remembered login" })
        let data = try JSONParser.parse(Array(login.json.utf8)).objectFields
        let session = try #require(DjangoSession(data))
        #expect(session.userID == 7)
        #expect(session.backend == "users.utils.UsernameMobileAuthBackend")
        #expect(session.authHash.count == 64)
        for json in [
            #"{"_auth_user_id":"7"}"#, #"{"_auth_user_backend":"b","_auth_user_hash":"h"}"#,
            #"{"_auth_user_id":7,"_auth_user_backend":"b","_auth_user_hash":"h"}"#,
            #"{"_auth_user_id":"x","_auth_user_backend":"b","_auth_user_hash":"h"}"#,
            #"{"_auth_user_id":"7","_auth_user_backend":"b","_auth_user_hash":""}"#,
        ] {
            #expect(DjangoSession(try JSONParser.parse(Array(json.utf8)).objectFields) == nil, "\(json)")
        }
    }

    @Test func sessionKeysAreCheckedBeforeAnyLookup() {
        #expect(DjangoSession.isSessionKey("abcdefghijklmnopqrstuvwxyz012345"))
        for key in ["", "short", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "abcdefghijklmnopqrstuvwxyz01234'", String(repeating: "a", count: 41)] {
            #expect(!DjangoSession.isSessionKey(key), "\(key)")
        }
    }
}

extension JSONValue {
    var objectFields: [String: JSONValue] {
        if case .object(let fields) = self { return fields }
        return [:]
    }
}
