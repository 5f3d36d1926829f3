import Instruments
import Redis
import Settings

/// The shop's session cache could not be read: Redis is down, slow, or refuses our login. The
/// details are for the log.
public struct SessionCacheUnavailable: Error, CustomStringConvertible {
    public let underlying: RedisError
    public var description: String { "session cache unavailable: \(underlying)" }
}

/// A thread's handle on the shop's Redis: one connection, opened (with AUTH and SELECT from
/// `SESSION_CACHE_LOCATION`) on first use and dropped after a failure, so the next request
/// connects again and a restarted Redis needs no restart of ours. Read only: the service never
/// writes the shop's cache.
public final class SessionCache {
    private let settings: SessionCacheSettings
    private let instruments: ResponderInstruments
    private var connection: RedisConnection?

    public init(_ settings: SessionCacheSettings, instruments: ResponderInstruments) {
        self.settings = settings
        self.instruments = instruments
    }

    /// The value stored under `key`, or nil when there is none (expired, logged out).
    public func value(at key: [UInt8]) throws -> [UInt8]? {
        try run { connection in
            switch try connection.command([Array("GET".utf8), key]) {
            case .string(let bytes): return bytes
            case .null: return nil
            case let other: throw RedisError(.unexpectedReply, "GET answered \(other)")
            }
        }
    }

    /// Whether Redis answers, for the health check.
    public func ping() throws {
        try run { connection in
            guard case .status("PONG") = try connection.command("PING") else { throw RedisError(.unexpectedReply, "PING") }
        }
    }

    /// Runs `work` on the connection. A connection that was already open may have died since
    /// (Redis restarted): the read is run once more on a fresh one before giving up, since
    /// reading twice is harmless.
    private func run<T>(_ work: (RedisConnection) throws -> T) throws -> T {
        let wasOpen = connection != nil
        do {
            do {
                return try work(try open())
            } catch let error as RedisError where wasOpen && error.kind == .connection {
                connection = nil
                return try work(try open())
            }
        } catch let error as RedisError {
            connection = nil
            instruments.sessionCacheErrors.increment()
            throw SessionCacheUnavailable(underlying: error)
        }
    }

    private func open() throws -> RedisConnection {
        if let connection, !connection.broken { return connection }
        let endpoint: RedisEndpoint
        switch settings.endpoint {
        case .tcp(let host, let port): endpoint = .tcp(host: host, port: port)
        case .unix(let path): endpoint = .unix(path: path)
        }
        let fresh = try RedisConnection(endpoint, connectTimeout: settings.connectTimeout, commandTimeout: settings.timeout)
        if let password = settings.password {
            _ = try fresh.command((["AUTH"] + (settings.username.map { [$0] } ?? []) + [password]).map { Array($0.utf8) })
        }
        if settings.database != 0 {
            _ = try fresh.command("SELECT", String(settings.database))
        }
        connection = fresh
        return fresh
    }
}
