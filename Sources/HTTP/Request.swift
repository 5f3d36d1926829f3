import Codecs

/// What a handler sees of an HTTP request, as nginx passed it over FastCGI.
public struct Request: Sendable {
    public var method: Method
    /// The decoded, normalised path (nginx's `$document_uri`).
    public var path: String
    public var queryString: String
    public var contentType: String
    /// The `X-CSRFToken` header.
    public var csrfHeader: String?
    /// Whether the client reached nginx over TLS.
    public var isSecure: Bool
    /// The `If-None-Match` header.
    public var ifNoneMatch: String?
    public var cookies: [String: String]
    public var body: [UInt8]
    /// The body was over the size limit and was not read; handlers learn it at their body step.
    public var bodyTooLarge = false

    public init(
        method: Method, path: String, queryString: String = "", contentType: String = "", csrfHeader: String? = nil,
        isSecure: Bool = false, cookieHeader: String? = nil, body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.queryString = queryString
        self.contentType = contentType
        self.csrfHeader = csrfHeader
        self.isSecure = isSecure
        self.cookies = cookieHeader.map(Cookies.parse) ?? [:]
        self.body = body
    }

    /// The last value of a query-string field, as Django's `request.GET.get` answers.
    public func query(_ name: String) -> String? {
        FormFields(Array(queryString.utf8))[name]
    }

    /// The body, or the 413 error when it was over the limit.
    public func checkedBody() throws(HTTPError) -> [UInt8] {
        guard !bodyTooLarge else { throw .bodyTooLarge }
        return body
    }

    /// The fields of an `application/x-www-form-urlencoded` body (none for other types).
    public var form: FormFields {
        mediaType == "application/x-www-form-urlencoded" ? FormFields(body) : FormFields([])
    }

    /// The content type without its parameters, lowercased.
    public var mediaType: String {
        let bare = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return bare.trimming(" \t").lowercased()
    }
}
