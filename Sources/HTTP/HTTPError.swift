/// The one error a handler throws to end a request with a client-visible answer.
/// Routes answering JSON render it as `{"code":…,"errmsg":…}`; page routes render the
/// error template with `message`.
public struct HTTPError: Error, Sendable {
    public var status: Status
    public var code: RetCode
    public var message: String
    public var headers: [(name: String, value: String)]
    /// What went wrong underneath, for the log only; never shown to the client.
    public var cause: String?

    public init(_ status: Status, code: RetCode, _ message: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// This error, remembering `error` for the log.
    public func causedBy(_ error: any Error) -> HTTPError {
        var copy = self
        copy.cause = String(describing: error)
        return copy
    }

    public static let notLoggedIn = HTTPError(.ok, code: .noSession, "用户未登录")
    public static let csrfFailed = HTTPError(.forbidden, code: .notAllowed, "CSRF验证失败")
    public static let notFound = HTTPError(.notFound, code: .parameter, "页面不存在")
    public static let bodyTooLarge = HTTPError(.payloadTooLarge, code: .parameter, "请求体过大")
    public static let internalError = HTTPError(.internalServerError, code: .database, "服务器内部错误")

    public static func methodNotAllowed(allow: [Method]) -> HTTPError {
        HTTPError(
            .methodNotAllowed, code: .notAllowed, "请求方法不允许",
            headers: [("Allow", allow.map(\.description).joined(separator: ", "))])
    }
}
