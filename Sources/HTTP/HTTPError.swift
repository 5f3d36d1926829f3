/// The one error a handler throws to end a request with a client-visible answer, and the one
/// thing the error renderer turns into a response: JSON routes render `{"code":…,"errmsg":…}`,
/// page routes the error template with `message` and `hint`. It records where it arose, for the
/// log line, never for the client.
public struct HTTPError: Error, Sendable {
    public var status: Status
    public var code: RetCode
    public var message: String
    /// A second line on an error page: what the user can do about it.
    public var hint: String?
    /// A button on an error page that does it.
    public var action: PageAction?
    /// Cookies the page's action needs (its CSRF cookie).
    public var cookies: [SetCookie] = []
    public var headers: [(name: String, value: String)]
    /// Extra fields of a JSON answer, after `code` and `errmsg`.
    public var fields: [(String, JSONWriter.Scalar)]
    /// What went wrong underneath, for the log only.
    public var cause: String?
    public let fileID: String
    public let line: Int

    public init(
        _ status: Status, code: RetCode, _ message: String, hint: String? = nil, action: PageAction? = nil,
        headers: [(name: String, value: String)] = [], fileID: String = #fileID, line: Int = #line
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.action = action
        self.headers = headers
        self.fields = []
        self.fileID = fileID
        self.line = line
    }

    /// This error, remembering `error` for the log.
    public func causedBy(_ error: any Error) -> HTTPError {
        var copy = self
        copy.cause = String(describing: error)
        return copy
    }

    /// Where the error arose, as `File.swift:42`.
    public var location: String { "\(fileID):\(line)" }

    public static func notLoggedIn(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.ok, code: .noSession, "用户未登录", fileID: fileID, line: line)
    }

    public static func csrfFailed(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.forbidden, code: .notAllowed, "CSRF验证失败", fileID: fileID, line: line)
    }

    /// Too many verification mails lately: nothing was stored.
    public static func throttled(retryAfter: Int, fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.tooManyRequests, code: .throttled, "访问过于频繁", hint: "请在 \(retryAfter) 秒后再试。", fileID: fileID, line: line)
            .retrying(after: retryAfter)
    }

    /// New mail refused while the queue is too far behind (MEIDUO_MAIL_MAX_LAG): nothing was stored.
    public static func mailQueueBusy(retryAfter: Int, fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.serviceUnavailable, code: .throttled, "邮件发送繁忙", hint: "请在 \(retryAfter) 秒后再试。", fileID: fileID, line: line)
            .retrying(after: retryAfter)
    }

    /// The session store cannot be read: the user may well be logged in, and is told to try
    /// again, not to log in again.
    public static func sessionStoreUnavailable(retryAfter: Int = 5, fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(
            .serviceUnavailable, code: .sessionStoreUnavailable, "会话服务暂时不可用",
            hint: "您的登录状态没有丢失，请在 \(retryAfter) 秒后再试。", fileID: fileID, line: line
        ).retrying(after: retryAfter)
    }

    /// This answer to a database failure, as one that passes: the work met other writers or a
    /// database node that was not ready, and still did after its retries. `503` with
    /// `Retry-After` (and `retry_after` in a JSON body), never a `500`.
    public func databaseBusy(retryAfter: Int) -> HTTPError {
        var error = self
        error.status = .serviceUnavailable
        error.hint = "数据库繁忙，请在 \(retryAfter) 秒后再试。"
        return error.retrying(after: retryAfter)
    }

    /// This error saying when to try again: `Retry-After`, and `retry_after` in a JSON body.
    func retrying(after seconds: Int) -> HTTPError {
        var error = self
        error.headers.append(("Retry-After", String(seconds)))
        error.fields.append(("retry_after", .int(Int64(seconds))))
        return error
    }

    public static func notFound(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.notFound, code: .parameter, "页面不存在", fileID: fileID, line: line)
    }

    public static func bodyTooLarge(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.payloadTooLarge, code: .parameter, "请求体过大", fileID: fileID, line: line)
    }

    public static func internalError(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.internalServerError, code: .database, "服务器内部错误", fileID: fileID, line: line)
    }

    public static func methodNotAllowed(allow: [Method], fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(
            .methodNotAllowed, code: .notAllowed, "请求方法不允许",
            headers: [("Allow", allow.map(\.description).joined(separator: ", "))], fileID: fileID, line: line)
    }
}
