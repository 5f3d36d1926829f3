internal import CHiredis
import Glibc

/// Where a Redis server listens.
public enum RedisEndpoint: Sendable, Equatable {
    case tcp(host: String, port: Int)
    case unix(path: String)
}

/// One blocking hiredis connection, used by one thread at a time, with a bound on connecting
/// and on each command. Once an I/O error or a timeout has hit it, it is `broken` (hiredis
/// cannot resynchronise such a connection): drop it and open another.
public final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    public private(set) var broken = false

    public init(_ endpoint: RedisEndpoint, connectTimeout: Double, commandTimeout: Double) throws {
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint {
        case .tcp(let host, let port):
            made = redisConnectWithTimeout(host, Int32(port), Self.timeval(connectTimeout))
        case .unix(let path):
            made = redisConnectUnixWithTimeout(path, Self.timeval(connectTimeout))
        }
        guard let made else { throw RedisError(.connection, "out of memory") }
        guard made.pointee.err == 0 else {
            let error = RedisError(.connection, Self.message(made))
            redisFree(made)
            throw error
        }
        guard redisSetTimeout(made, Self.timeval(commandTimeout)) == REDIS_OK else {
            let error = RedisError(.connection, "setting the command timeout: \(Self.message(made))")
            redisFree(made)
            throw error
        }
        context = made
    }

    deinit {
        redisFree(context)
    }

    /// Sends one command, every argument binary-safe, and waits for its reply.
    public func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        guard !broken else { throw RedisError(.connection, "connection already failed") }
        // hiredis reads the arguments during the call only: copies in C memory for its duration.
        let copies = arguments.map { argument -> UnsafeMutablePointer<CChar> in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(argument.count, 1))
            argument.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { copy.initialize(from: $0.baseAddress!, count: $0.count) }
            }
            return copy
        }
        defer { copies.forEach { $0.deallocate() } }
        var pointers = copies.map { UnsafePointer<CChar>?($0) }
        var lengths = arguments.map(\.count)
        let raw = redisCommandArgv(context, Int32(arguments.count), &pointers, &lengths)
        guard let raw else {
            broken = true
            throw RedisError(.connection, Self.message(context))
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return try Self.copy(reply)
    }

    public func command(_ arguments: String...) throws -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) throws -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .string(bytes(value.str, value.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            throw RedisError(.server, String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(value.integer)
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            return .array(try (0..<value.elements).map { try copy(value.element[$0]!) })
        default:
            throw RedisError(.unexpectedReply, "reply of type \(value.type)")
        }
    }

    private static func bytes(_ start: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return start.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    private static func message(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "error \(context.pointee.err)" : text
    }

    private static func timeval(_ seconds: Double) -> Glibc.timeval {
        let whole = seconds.rounded(.down)
        return Glibc.timeval(tv_sec: Int(whole), tv_usec: Int((seconds - whole) * 1_000_000))
    }
}
