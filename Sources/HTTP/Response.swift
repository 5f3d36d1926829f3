public struct Response: Sendable {
    public var status: Status
    public var headers: [(name: String, value: String)]
    public var cookies: [SetCookie]
    public var body: [UInt8]

    public init(status: Status = .ok, headers: [(name: String, value: String)] = [], cookies: [SetCookie] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }

    /// A JSON body of Meiduo's shape: `code` and `errmsg`, then the data `fields` of this answer.
    public static func json(_ code: RetCode, _ message: String, status: Status = .ok, fields: [(String, JSONWriter.Scalar)] = []) -> Response {
        let pairs: [(String, JSONWriter.Scalar)] = [("code", .string(code.rawValue)), ("errmsg", .string(message))] + fields
        return Response(status: status, headers: [("Content-Type", "application/json")], body: JSONWriter.object(pairs))
    }

    public static func html(_ text: String, status: Status = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(text.utf8))
    }

    /// A redirect to a path on this site.
    public static func redirect(to location: String) -> Response {
        Response(status: .found, headers: [("Location", location)])
    }

    /// Headers every response carries, whoever produced it. Scripts and styles come only from
    /// this site's files: no inline script runs even if markup were injected.
    static let standardHeaders =
        "X-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n"
        + "Referrer-Policy: same-origin\r\n"
        + "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"

    /// The response as a FastCGI responder writes it: CGI headers, a blank line, the body.
    /// `includeBody` is false for HEAD.
    public func serialized(now: Int64, includeBody: Bool = true) -> [UInt8] {
        var head = "Status: \(status.code) \(status.reason)\r\n"
        for header in headers {
            head += "\(header.name): \(header.value)\r\n"
        }
        for cookie in cookies {
            head += "Set-Cookie: \(cookie.headerValue(now: now))\r\n"
        }
        head += Self.standardHeaders
        if !headers.contains(where: { $0.name == "Cache-Control" }) {
            head += "Cache-Control: no-store\r\n"
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var bytes = Array(head.utf8)
        if includeBody {
            bytes.append(contentsOf: body)
        }
        return bytes
    }
}
