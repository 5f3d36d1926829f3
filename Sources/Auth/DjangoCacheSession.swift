import Codecs
import HTTP
import Settings
import Zlib

/// How Django's cache session engines keep a session in the shop's Redis: the session
/// dictionary itself (not signed) under `KEY_PREFIX:VERSION:` + the engine's prefix + the
/// session key, encoded by the cache backend: django-redis' serializer (pickle by default, or
/// JSON) after its compressor (none, or zlib), or Django's own RedisCache's pickle.
public struct DjangoCacheSession {
    /// The engines' `cache_key_prefix`.
    public enum Engine: String, Sendable {
        case cache = "django.contrib.sessions.cache"
        case cachedDatabase = "django.contrib.sessions.cached_db"
    }

    /// Why a value in the cache is not taken as a session; never carries the value.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case tooLarge
        case integer
        case pickle(PickleReader.Refusal)
        case json
        case notADictionary

        public var description: String {
            switch self {
            case .tooLarge: return "value over \(DjangoCacheSession.valueLimit) bytes"
            case .integer: return "an integer, not a session"
            case .pickle(let refusal): return String(describing: refusal)
            case .json: return "not JSON"
            case .notADictionary: return "not a dictionary"
            }
        }
    }

    /// Sessions are a few hundred bytes; anything near this is not one of the shop's.
    public static let valueLimit = 1 << 20

    private let settings: SessionCacheSettings

    public init(_ settings: SessionCacheSettings) {
        self.settings = settings
    }

    /// Django's `make_key`, as both backends use it.
    public func key(_ sessionKey: String, engine: Engine) -> [UInt8] {
        Array("\(settings.keyPrefix):\(settings.version):\(engine.rawValue)\(sessionKey)".utf8)
    }

    /// The session dictionary's plain values by their string keys (what `DjangoSession` reads);
    /// nested or opaque values are kept as null.
    public func decode(_ stored: [UInt8]) -> Result<[String: JSONValue], Refusal> {
        guard stored.count <= Self.valueLimit else { return .failure(.tooLarge) }
        // Both backends store an int as its digits, unpickled, and read back whatever int() takes.
        if Self.isInteger(stored) { return .failure(.integer) }
        var serialized = stored
        if settings.backend == .djangoRedis, settings.compressor == .zlib {
            // django-redis leaves short values uncompressed and reads them as they are.
            serialized = Zlib.decompress(stored, limit: Self.valueLimit) ?? stored
        }
        if settings.backend == .djangoRedis, settings.serializer == .json {
            guard let parsed = try? JSONParser.parse(serialized, maxDepth: 16) else { return .failure(.json) }
            guard case .object(let object) = parsed else { return .failure(.notADictionary) }
            return .success(object)
        }
        switch PickleReader.read(serialized) {
        case .failure(let refusal):
            return .failure(.pickle(refusal))
        case .success(.dict(let pairs)):
            var object: [String: JSONValue] = [:]
            for pair in pairs {
                guard case .string(let name) = pair.key else { continue }
                object[name] = Self.plain(pair.value)
            }
            return .success(object)
        case .success:
            return .failure(.notADictionary)
        }
    }

    private static func plain(_ value: PickleValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .int(let number): return .number(String(number))
        case .bool(let flag): return .bool(flag)
        default: return .null
        }
    }

    /// What Python's `int()` would take: ASCII digits (underscores between them), a sign,
    /// surrounding whitespace.
    static func isInteger(_ bytes: [UInt8]) -> Bool {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
        var body = bytes[...].drop { whitespace.contains($0) }
        while let last = body.last, whitespace.contains(last) { body = body.dropLast() }
        if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { body = body.dropFirst() }
        guard let first = body.first, let last = body.last, ASCII.isDigit(first), ASCII.isDigit(last) else { return false }
        var previous: UInt8 = 0
        for byte in body {
            guard ASCII.isDigit(byte) || (byte == UInt8(ascii: "_") && previous != byte) else { return false }
            previous = byte
        }
        return true
    }
}
