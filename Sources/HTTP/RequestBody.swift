/// A request's body as the responder took it: read whole, or refused for being over the size
/// limit (drained, never read). The bytes come out only through `bytes()`, which answers a
/// refused body with the 413 error, so no handler can read a refused body as an empty one.
public enum RequestBody: Sendable, Equatable {
    case accepted([UInt8])
    case refused

    public func bytes() throws(HTTPError) -> [UInt8] {
        guard case .accepted(let bytes) = self else { throw .bodyTooLarge() }
        return bytes
    }
}
