import CCurl

/// Sends complete RFC 5322 messages over SMTP with one libcurl easy handle, which keeps its
/// connection open between messages. One client per thread.
public final class SMTPClient {
    public struct Options: Sendable {
        public enum Security: Sendable {
            /// No TLS at all.
            case none
            /// STARTTLS, required: the transfer fails if the server does not offer it.
            case startTLS
            /// TLS from the first byte (`smtps://`, usually port 465).
            case implicitTLS
        }

        public var host: String
        public var port: Int
        public var security: Security
        public var username: String?
        public var password: String?
        public var verifyPeer: Bool
        public var caFile: String?
        public var connectTimeoutMilliseconds: Int
        public var timeoutMilliseconds: Int

        public init(
            host: String, port: Int, security: Security = .none, username: String? = nil, password: String? = nil,
            verifyPeer: Bool = true, caFile: String? = nil, connectTimeoutMilliseconds: Int = 10_000, timeoutMilliseconds: Int = 30_000
        ) {
            self.host = host
            self.port = port
            self.security = security
            self.username = username
            self.password = password
            self.verifyPeer = verifyPeer
            self.caFile = caFile
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.timeoutMilliseconds = timeoutMilliseconds
        }

        var url: String {
            let scheme = security == .implicitTLS ? "smtps" : "smtp"
            let bracketed = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(bracketed):\(port)"
        }
    }

    /// The message being uploaded, read by curl's callback through `CURLOPT_READDATA`.
    private final class Upload {
        var bytes: [UInt8] = []
        var offset = 0
    }

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let upload = Upload()
    private let options: Options

    public init(_ options: Options) throws {
        guard let handle = curl_easy_init() else {
            throw SMTPError(curlCode: CURLE_FAILED_INIT.rawValue, replyCode: 0, message: "curl_easy_init failed")
        }
        self.handle = handle
        self.options = options
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func configure() throws {
        try check(curl_setopt_string(handle, CURLOPT_URL, options.url))
        try check(curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        // No signals: timeouts must not interrupt other threads of the process.
        try check(curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds))
        try check(curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, options.timeoutMilliseconds))
        try check(curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
        try check(
            curl_setopt_read_function(
                handle,
                { buffer, size, count, context in
                    let upload = Unmanaged<Upload>.fromOpaque(context!).takeUnretainedValue()
                    let length = min(size * count, upload.bytes.count - upload.offset)
                    guard length > 0, let buffer else { return 0 }
                    upload.bytes.withUnsafeBytes { source in
                        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + upload.offset, byteCount: length)
                    }
                    upload.offset += length
                    return length
                }))
        try check(curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque()))
        if options.security == .startTLS {
            try check(curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
        }
        if options.security != .none {
            try check(curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, options.verifyPeer ? 1 : 0))
            try check(curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, options.verifyPeer ? 2 : 0))
            if let caFile = options.caFile { try check(curl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        }
        if let username = options.username {
            try check(curl_setopt_string(handle, CURLOPT_USERNAME, username))
            try check(curl_setopt_string(handle, CURLOPT_PASSWORD, options.password ?? ""))
        }
    }

    /// Sends `message` from `sender` to `recipients`. A failure before the server said anything
    /// on a connection kept from an earlier message (which the server may have closed meanwhile)
    /// is tried once more on a fresh connection.
    public func send(from sender: String, to recipients: [String], message: [UInt8]) throws(SMTPError) {
        do {
            try attempt(from: sender, to: recipients, message: message, freshConnection: false)
        } catch let error where error.isConnectionLevel && hasSentBefore {
            try attempt(from: sender, to: recipients, message: message, freshConnection: true)
        }
        hasSentBefore = true
    }

    private var hasSentBefore = false

    private func attempt(from sender: String, to recipients: [String], message: [UInt8], freshConnection: Bool) throws(SMTPError) {
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for recipient in recipients {
            guard let appended = curl_slist_append(list, "<\(recipient)>") else {
                throw SMTPError(curlCode: CURLE_OUT_OF_MEMORY.rawValue, replyCode: 0, message: "out of memory")
            }
            list = appended
        }
        upload.bytes = message
        upload.offset = 0
        defer { upload.bytes = [] }
        errorBuffer[0] = 0
        try check(curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(sender)>"))
        try check(curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, list))
        try check(curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, freshConnection ? 1 : 0))
        try check(curl_easy_perform(handle))
    }

    private func check(_ code: CURLcode) throws(SMTPError) {
        guard code != CURLE_OK else { return }
        var reply = 0
        _ = curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        throw SMTPError(curlCode: code.rawValue, replyCode: reply, message: message)
    }
}
