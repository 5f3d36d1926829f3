import Codecs

/// What a handler sees of an HTTP request, as nginx passed it over FastCGI.
public struct Request: Sendable {
    public var method: Method
    /// The decoded, normalised path (nginx's `$document_uri`).
    public var path: String
    public var queryString: String
    public var contentType: String
    /// The body's length as the client declared it.
    public var contentLength: Int
    /// The `X-CSRFToken` header.
    public var csrfHeader: String?
    /// Whether the client reached nginx over TLS.
    public var isSecure: Bool
    /// `Host`, `Origin` and `Referer`, for checks on where a request came from.
    public var host: String?
    public var origin: String?
    public var referer: String?
    /// The request came through the operators' location (`nginx/meiduo-email-ops.conf` sets
    /// `MEIDUO_OPS`): the only way to the metrics and health routes.
    public var throughOpsLocation = false
    /// `Authorization`, for the operators' routes' bearer token.
    public var authorization: String?
    /// `Sec-Fetch-Site`: `same-origin`, `same-site`, `cross-site` or `none`, from browsers that send it.
    public var fetchSite: String?
    public var ifNoneMatch: String?
    /// The client's address as nginx saw it.
    public var remoteAddress: String
    /// nginx's `$request_id` (the `REQUEST_ID` FastCGI parameter), or one the service made.
    public var requestID: String
    public var cookies: [String: String]
    public var body: RequestBody

    public init(
        method: Method, path: String, queryString: String = "", contentType: String = "", csrfHeader: String? = nil,
        isSecure: Bool = false, cookieHeader: String? = nil, body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.queryString = queryString
        self.contentType = contentType
        self.contentLength = body.count
        self.csrfHeader = csrfHeader
        self.isSecure = isSecure
        self.remoteAddress = ""
        self.requestID = ""
        self.cookies = cookieHeader.map(Cookies.parse) ?? [:]
        self.body = .accepted(body)
    }

    /// A request from the CGI parameters nginx sends (`fastcgi_params` plus `REQUEST_ID`); the
    /// body is read separately, once its declared length is known to be acceptable.
    public init(parameter: (String) -> String?) {
        self.init(
            method: Method(parameter("REQUEST_METHOD") ?? "GET"), path: parameter("DOCUMENT_URI") ?? "/",
            queryString: parameter("QUERY_STRING") ?? "", contentType: parameter("CONTENT_TYPE") ?? "",
            csrfHeader: parameter("HTTP_X_CSRFTOKEN"), isSecure: parameter("HTTPS") == "on",
            cookieHeader: parameter("HTTP_COOKIE"))
        contentLength = parameter("CONTENT_LENGTH").flatMap { Int($0) }.map { max(0, $0) } ?? 0
        // MEIDUO_HOST is the Host header as sent (the snippets pass it); Debian's HTTP_HOST lacks the port.
        host = parameter("MEIDUO_HOST") ?? parameter("HTTP_HOST")
        origin = parameter("HTTP_ORIGIN")
        referer = parameter("HTTP_REFERER")
        fetchSite = parameter("HTTP_SEC_FETCH_SITE")
        throughOpsLocation = parameter("MEIDUO_OPS") == "1"
        authorization = parameter("HTTP_AUTHORIZATION")
        ifNoneMatch = parameter("HTTP_IF_NONE_MATCH")
        remoteAddress = parameter("REMOTE_ADDR") ?? ""
        requestID = parameter("REQUEST_ID").flatMap(Self.acceptableRequestID) ?? ""
    }

    /// A new request id, as nginx's `$request_id` looks: 32 hex digits.
    public static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bits = [generator.next(), generator.next()] as [UInt64]
        return bits.map { String($0, radix: 16) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
    }

    /// nginx's ids are 32 hex digits; anything else a client smuggled in is not used.
    private static func acceptableRequestID(_ id: String) -> String? {
        let bytes = id.utf8
        guard (8...64).contains(bytes.count), bytes.allSatisfy({ ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else {
            return nil
        }
        return id
    }

    /// The last value of a query-string field, as Django's `request.GET.get` answers.
    public func query(_ name: String) -> String? {
        FormFields(Array(queryString.utf8))[name]
    }

    /// The fields of an `application/x-www-form-urlencoded` body (none for other types), or the
    /// 413 error when the body was refused, whatever its type.
    public func form() throws(HTTPError) -> FormFields {
        let bytes = try body.bytes()
        return mediaType == "application/x-www-form-urlencoded" ? FormFields(bytes) : FormFields([])
    }

    /// The content type without its parameters, lowercased.
    public var mediaType: String {
        let bare = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return bare.trimming(" \t").lowercased()
    }
}
