/// A reply, copied out of hiredis' reply object. Error replies are thrown as `RedisError`.
public enum RedisReply: Sendable, Equatable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case null
    case array([RedisReply])
}
