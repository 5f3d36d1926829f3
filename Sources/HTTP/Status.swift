public struct Status: Sendable, Equatable {
    public let code: Int
    public let reason: String

    public init(_ code: Int, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let ok = Status(200, "OK")
    public static let found = Status(302, "Found")
    public static let notModified = Status(304, "Not Modified")
    public static let badRequest = Status(400, "Bad Request")
    public static let unauthorized = Status(401, "Unauthorized")
    public static let forbidden = Status(403, "Forbidden")
    public static let notFound = Status(404, "Not Found")
    public static let methodNotAllowed = Status(405, "Method Not Allowed")
    public static let conflict = Status(409, "Conflict")
    public static let gone = Status(410, "Gone")
    public static let payloadTooLarge = Status(413, "Payload Too Large")
    public static let unsupportedMediaType = Status(415, "Unsupported Media Type")
    public static let tooManyRequests = Status(429, "Too Many Requests")
    public static let internalServerError = Status(500, "Internal Server Error")
    public static let serviceUnavailable = Status(503, "Service Unavailable")
}
