/// A failure talking to Redis, with where the failing call was made.
public struct RedisError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Connecting, reading or writing failed, or timed out: the connection is unusable.
        case connection
        /// The server answered with an error (`-ERR …`, `-WRONGPASS …`); the connection is fine.
        case server
        /// The server answered something the caller did not expect.
        case unexpectedReply
    }

    public let kind: Kind
    public let message: String
    public let fileID: String
    public let line: Int

    public init(_ kind: Kind, _ message: String, fileID: String = #fileID, line: Int = #line) {
        self.kind = kind
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    public var description: String { "Redis: \(message) (at \(fileID):\(line))" }
}
