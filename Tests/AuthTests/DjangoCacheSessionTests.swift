import Auth
import Codecs
import HTTP
import Settings
import Testing

/// How the cache engines' values are keyed and read, for each backend, serializer and
/// compressor a shop may use. (The integration tests read what the real django-redis and
/// Django's RedisCache wrote to a real Redis.)
@Suite struct DjangoCacheSessionTests {
    static let session: [String: JSONValue] = [
        "_auth_user_id": .string("7"), "_auth_user_backend": .string("django.contrib.auth.backends.ModelBackend"),
        "_auth_user_hash": .string(String(repeating: "ab", count: 32)),
    ]
    /// Python: pickle.dumps(session, 4), and zlib.compress of it and of json.dumps(session).
    static let pickled = Hex.decode(
        "80049589000000000000007d94288c0d5f617574685f757365725f6964948c0137948c125f617574685f757365725f6261636b656e64948c29"
            + "646a616e676f2e636f6e747269622e617574682e6261636b656e64732e4d6f64656c4261636b656e64948c0f5f617574685f757365725f68"
            + "617368948c40" + String(repeating: "6162", count: 32) + "94752e")!
    static let zlibPickled = Hex.decode(
        "789c6b6099ba9e01026aa768f4f0c627969664c49716a716c567a64ce961349fd22384249694989c9d9a0794d04cc94acc4bcfd74bcecf2b29ca"
            + "4cd20329d183ca16ebf9e6a7a4e638c1d4f223199091589c31a5c72131893238a5540f00eb0a4619")!
    static let zlibJSON = Hex.decode(
        "789cab568a4f2c2dc9882f2d4e2d8acf4c51b252503257d25140164d4a4cce4ecd034ba56425e6a5e7eb25e7e795146526e981d4e841a58bf5"
            + "7cf35352739ca08a518dc8482cce00e94f4ca20c2ad502007d1f3f53")!

    func format(_ values: [String: String]) throws -> DjangoCacheSession {
        let environment = Environment(
            [
                "SECRET_KEY": "k", "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
                "SESSION_CACHE_LOCATION": "redis://r/1",
            ].merging(values) { $1 })
        return DjangoCacheSession(try #require(try Settings(environment).sessions.cache))
    }

    @Test func keysAreDjangosMakeKey() throws {
        let plain = try format([:])
        #expect(plain.key("abc123", engine: .cache) == Array(":1:django.contrib.sessions.cacheabc123".utf8))
        #expect(plain.key("abc123", engine: .cachedDatabase) == Array(":1:django.contrib.sessions.cached_dbabc123".utf8))
        let prefixed = try format(["SESSION_CACHE_KEY_PREFIX": "mall", "SESSION_CACHE_VERSION": "2"])
        #expect(prefixed.key("k", engine: .cache) == Array("mall:2:django.contrib.sessions.cachek".utf8))
    }

    @Test func theDefaultsReadAPickle() throws {
        #expect(try format([:]).decode(Self.pickled) == .success(Self.session))
        #expect(try format(["SESSION_CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache"]).decode(Self.pickled) == .success(Self.session))
    }

    @Test func zlibValuesAreInflatedAndShortOnesReadAsTheyAre() throws {
        let zlib = try format(["SESSION_CACHE_COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor"])
        #expect(zlib.decode(Self.zlibPickled) == .success(Self.session))
        #expect(zlib.decode(Self.pickled) == .success(Self.session), "django-redis reads what does not inflate as it is")
        #expect(try format([:]).decode(Self.zlibPickled) == .failure(.pickle(.noProtocol)), "no compressor configured")
    }

    @Test func jsonValues() throws {
        let json = try format([
            "SESSION_CACHE_SERIALIZER": "django_redis.serializers.json.JSONSerializer",
            "SESSION_CACHE_COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor",
        ])
        #expect(json.decode(Self.zlibJSON) == .success(Self.session))
        #expect(json.decode(Array(#"{"_auth_user_id": "7"}"#.utf8)) == .success(["_auth_user_id": .string("7")]))
        #expect(json.decode(Array("[1, 2]".utf8)) == .failure(.notADictionary))
        #expect(json.decode(Array("{".utf8)) == .failure(.json))
    }

    @Test func whatIsNotASessionIsRefused() throws {
        let plain = try format([:])
        for integer in ["42", " -7\n", "1_000", "+3"] {
            #expect(plain.decode(Array(integer.utf8)) == .failure(.integer), "\(integer)")
        }
        #expect(plain.decode(Array("1__0".utf8)) == .failure(.pickle(.noProtocol)), "int() refuses a double underscore")
        #expect(plain.decode([0x80, 0x04, 0x4B, 0x01, 0x2E]) == .failure(.notADictionary))
        #expect(plain.decode([0x80, 0x04] + [UInt8](repeating: 0x4E, count: DjangoCacheSession.valueLimit)) == .failure(.tooLarge))
    }

    @Test func nestedAndOpaqueValuesDoNotSpoilTheKeys() throws {
        // {"_auth_user_id": "7", "when": datetime(...), "cart": {"a": 1}} as protocol 2 writes it, by hand.
        var bytes: [UInt8] = [0x80, 0x02, 0x7D, 0x71, 0x00, 0x28]
        bytes += [0x58, 13, 0, 0, 0] + Array("_auth_user_id".utf8) + [0x58, 1, 0, 0, 0] + Array("7".utf8)
        bytes += [0x58, 4, 0, 0, 0] + Array("when".utf8) + Array("cdatetime\ndatetime\n".utf8) + [0x43, 2, 7, 0xEA, 0x85, 0x52]
        bytes += [0x58, 4, 0, 0, 0] + Array("cart".utf8) + [0x7D, 0x58, 1, 0, 0, 0, 0x61, 0x4B, 1, 0x73]
        bytes += [0x75, 0x2E]
        #expect(try format([:]).decode(bytes) == .success(["_auth_user_id": .string("7"), "when": .null, "cart": .null]))
    }
}
