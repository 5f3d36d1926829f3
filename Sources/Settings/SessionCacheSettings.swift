import Codecs

/// The shop's session cache, copied from its `CACHES[SESSION_CACHE_ALIAS]` entry: where Redis
/// is (`LOCATION`), which backend wrote the values (`BACKEND`), how it built keys (`KEY_PREFIX`,
/// `VERSION`) and encoded values (django-redis' `SERIALIZER` and `COMPRESSOR` options).
public struct SessionCacheSettings: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public enum Backend: String, Sendable, Equatable {
        /// django-redis: pickle (or JSON) values, optionally zlib-compressed.
        case djangoRedis = "django_redis.cache.RedisCache"
        /// Django's own backend: pickled values.
        case django = "django.core.cache.backends.redis.RedisCache"
    }

    public enum Serializer: String, Sendable, Equatable {
        case pickle = "django_redis.serializers.pickle.PickleSerializer"
        case json = "django_redis.serializers.json.JSONSerializer"
    }

    public enum Compressor: String, Sendable, Equatable {
        case identity = "django_redis.compressors.identity.IdentityCompressor"
        case zlib = "django_redis.compressors.zlib.ZlibCompressor"
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int
    public var backend: Backend
    public var keyPrefix: String
    public var version: Int
    public var serializer: Serializer
    public var compressor: Compressor
    /// Seconds to wait for a connection, and for each reply (SESSION_CACHE_SOCKET_CONNECT_TIMEOUT,
    /// SESSION_CACHE_SOCKET_TIMEOUT: django-redis' option names).
    public var connectTimeout: Double
    public var timeout: Double

    /// The cache settings, or nil where the engine reads no cache (`cached_db` without a
    /// `SESSION_CACHE_LOCATION` reads the table alone).
    init?(_ environment: Environment, engine: SessionSettings.Engine) throws {
        guard engine == .djangoCache || engine == .djangoCachedDatabase else { return nil }
        guard let location = environment.string("SESSION_CACHE_LOCATION") else {
            if engine == .djangoCachedDatabase { return nil }
            throw Environment.Problem(
                description:
                    "SESSION_CACHE_LOCATION is required with the cache session engine: copy the LOCATION of the shop's CACHES[SESSION_CACHE_ALIAS] (e.g. redis://127.0.0.1:6379/1)"
            )
        }
        do {
            (endpoint, username, password, database) = try Self.parse(location)
        } catch let problem as Environment.Problem {
            throw Environment.Problem(description: "SESSION_CACHE_LOCATION: \(problem.description)")
        }
        backend = try Self.choice(
            environment, "SESSION_CACHE_BACKEND", default: .djangoRedis,
            "the service reads sessions from Redis only (django-redis or Django's own RedisCache)")
        keyPrefix = environment.string("SESSION_CACHE_KEY_PREFIX", default: "")
        version = try environment.integer("SESSION_CACHE_VERSION", default: 1, range: Int(Int32.min)...Int(Int32.max))
        serializer = try Self.choice(environment, "SESSION_CACHE_SERIALIZER", default: .pickle, "pickle and JSON are read")
        compressor = try Self.choice(environment, "SESSION_CACHE_COMPRESSOR", default: .identity, "no compressor and zlib are read")
        if backend == .django, environment.string("SESSION_CACHE_SERIALIZER") != nil || environment.string("SESSION_CACHE_COMPRESSOR") != nil {
            throw Environment.Problem(
                description:
                    "SESSION_CACHE_SERIALIZER and SESSION_CACHE_COMPRESSOR are django-redis options; Django's own RedisCache always pickles")
        }
        connectTimeout = try environment.double("SESSION_CACHE_SOCKET_CONNECT_TIMEOUT", default: 1, range: 0.01...60)
        timeout = try environment.double("SESSION_CACHE_SOCKET_TIMEOUT", default: 1, range: 0.01...60)
    }

    private static func choice<T: RawRepresentable<String>>(
        _ environment: Environment, _ name: String, default fallback: T, _ what: String
    ) throws -> T {
        guard let value = environment.string(name) else { return fallback }
        guard let known = T(rawValue: value) else {
            throw Environment.Problem(description: "\(name): '\(value)' is not read by the service (\(what))")
        }
        return known
    }

    /// django-redis' URL forms: `redis://[[user]:password@]host[:port][/db][?db=N]` and
    /// `unix://[[user]:password@]/path[?db=N]`. A LOCATION listing several servers (Django's
    /// own backend: the first is written, the others are read replicas) is read from the first,
    /// which never lags behind a logout.
    static func parse(_ location: String) throws -> (Endpoint, String?, String?, Int) {
        let first = location.split(separator: ",", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let url = String(first.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw Environment.Problem(description: "'\(redacted(url))' is not a redis:// or unix:// URL")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(url[schemeEnd.upperBound...])
        if scheme == "rediss" {
            throw Environment.Problem(
                description:
                    "rediss:// (TLS) cannot be used: Debian 12's hiredis 0.14 has no TLS. Reach Redis on this host over a unix socket (unix://…) or redis:// on loopback, or through a local TLS tunnel (stunnel, spiped) whose loopback end is given as redis://"
            )
        }
        guard scheme == "redis" || scheme == "unix" else {
            throw Environment.Problem(description: "the scheme \(scheme):// is not read (redis:// or unix://)")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var username: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                username = try percentDecoded(credentials[..<colon])
                password = try percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                username = try percentDecoded(credentials)
            }
            if username?.isEmpty == true { username = nil }
            if password?.isEmpty == true { password = nil }
            // redis-py: a user without a password is sent as the password (AUTH password).
            if password == nil, let user = username { password = user; username = nil }
        }
        var database = 0
        let endpoint: Endpoint
        if scheme == "unix" {
            guard rest.hasPrefix("/") else { throw Environment.Problem(description: "unix:// needs an absolute socket path") }
            endpoint = .unix(path: try percentDecoded(rest))
        } else {
            var hostPort = rest
            if let slash = rest.firstIndex(of: "/") {
                hostPort = rest[..<slash]
                let path = rest[rest.index(after: slash)...]
                if !path.isEmpty {
                    guard let number = Int(path), number >= 0 else {
                        throw Environment.Problem(description: "the database '\(path)' is not a number")
                    }
                    database = number
                }
            }
            var host = "localhost", port = 6379
            if hostPort.hasPrefix("[") {
                guard let close = hostPort.firstIndex(of: "]") else { throw Environment.Problem(description: "unclosed [ in the host") }
                host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
                let after = hostPort[hostPort.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { throw Environment.Problem(description: "bad port") }
                    port = number
                }
            } else if let colon = hostPort.lastIndex(of: ":") {
                if colon != hostPort.startIndex { host = String(hostPort[..<colon]) }
                guard let number = Int(hostPort[hostPort.index(after: colon)...]) else { throw Environment.Problem(description: "bad port") }
                port = number
            } else if !hostPort.isEmpty {
                host = String(hostPort)
            }
            guard (1...65535).contains(port) else { throw Environment.Problem(description: "port \(port) out of range") }
            endpoint = .tcp(host: host, port: port)
        }
        for parameter in query.split(separator: "&") where parameter.hasPrefix("db=") {
            guard let number = Int(parameter.dropFirst(3)), number >= 0 else {
                throw Environment.Problem(description: "the database '\(parameter.dropFirst(3))' is not a number")
            }
            database = number
        }
        return (endpoint, username, password, database)
    }

    /// The URL without its credentials, for messages.
    private static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let schemeEnd = url.firstRange(of: "://"), schemeEnd.upperBound <= at else { return url }
        return String(url[..<schemeEnd.upperBound]) + "…@" + String(url[url.index(after: at)...])
    }

    private static func percentDecoded(_ text: Substring) throws -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard bytes.count >= 2, let high = ASCII.hexValue(bytes[bytes.startIndex]), let low = ASCII.hexValue(bytes[bytes.startIndex + 1])
                else {
                    throw Environment.Problem(description: "a bad %-escape")
                }
                out.append(high << 4 | low)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(byte)
            }
        }
        guard let decoded = String(validating: out, as: UTF8.self) else { throw Environment.Problem(description: "a %-escape that is not UTF-8") }
        return decoded
    }
}
