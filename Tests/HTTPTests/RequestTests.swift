import HTTP
import Testing

/// The mapping of nginx's FastCGI parameters (`fastcgi_params` plus `REQUEST_ID`) to a `Request`.
@Suite struct RequestFromParametersTests {
    func request(_ parameters: [String: String]) -> Request {
        Request(parameter: { parameters[$0] })
    }

    @Test func everyFieldComesFromItsParameter() {
        let request = request([
            "REQUEST_METHOD": "PUT", "DOCUMENT_URI": "/emails/", "QUERY_STRING": "a=1&b=2",
            "CONTENT_TYPE": "application/json; charset=utf-8", "CONTENT_LENGTH": "17", "HTTPS": "on",
            "HTTP_COOKIE": "sessionid=abc; csrftoken=xyz", "HTTP_X_CSRFTOKEN": "xyz", "HTTP_HOST": "www.meiduo.site",
            "HTTP_ORIGIN": "https://www.meiduo.site", "HTTP_REFERER": "https://www.meiduo.site/info/",
            "HTTP_IF_NONE_MATCH": "\"1a\"", "REMOTE_ADDR": "203.0.113.7", "REQUEST_ID": "0123456789abcdef0123456789abcdef",
        ])
        #expect(request.method == .put)
        #expect(request.path == "/emails/")
        #expect(request.queryString == "a=1&b=2")
        #expect(request.query("b") == "2")
        #expect(request.mediaType == "application/json")
        #expect(request.contentLength == 17)
        #expect(request.isSecure)
        #expect(request.cookies == ["sessionid": "abc", "csrftoken": "xyz"])
        #expect(request.csrfHeader == "xyz")
        #expect(request.host == "www.meiduo.site")
        #expect(request.origin == "https://www.meiduo.site")
        #expect(request.referer == "https://www.meiduo.site/info/")
        #expect(request.ifNoneMatch == "\"1a\"")
        #expect(request.remoteAddress == "203.0.113.7")
        #expect(request.requestID == "0123456789abcdef0123456789abcdef")
        #expect(request.body == .accepted([]), "the body is read separately")
    }

    @Test func missingParametersHaveSafeDefaults() {
        let request = request([:])
        #expect(request.method == .get)
        #expect(request.path == "/")
        #expect(request.queryString.isEmpty)
        #expect(request.contentType.isEmpty)
        #expect(request.contentLength == 0)
        #expect(!request.isSecure)
        #expect(request.cookies.isEmpty)
        #expect(request.csrfHeader == nil)
        #expect(request.host == nil)
        #expect(request.origin == nil)
        #expect(request.referer == nil)
        #expect(request.ifNoneMatch == nil)
        #expect(request.remoteAddress.isEmpty)
        #expect(request.requestID.isEmpty)
    }

    @Test(arguments: ["-1", "abc", "", "99999999999999999999999"])
    func oddContentLengthsCountAsNone(length: String) {
        #expect(request(["CONTENT_LENGTH": length]).contentLength == 0)
    }

    @Test(arguments: ["off", "", "ON", "1"])
    func onlyHTTPSOnIsSecure(value: String) {
        #expect(!request(["HTTPS": value]).isSecure)
    }

    @Test(arguments: ["short", String(repeating: "a", count: 65), "id with spaces", "<script>", "abc\r\nX-Evil: 1"])
    func requestIDsThatNginxWouldNotMakeAreDropped(id: String) {
        #expect(request(["REQUEST_ID": id]).requestID.isEmpty)
    }

    @Test func theHostAsTheBrowserSentItWins() {
        #expect(request(["HTTP_HOST": "127.0.0.1", "MEIDUO_HOST": "127.0.0.1:8080"]).host == "127.0.0.1:8080")
        #expect(request(["HTTP_HOST": "127.0.0.1"]).host == "127.0.0.1")
    }

    @Test func unknownMethodsAreKept() {
        #expect(request(["REQUEST_METHOD": "BREW"]).method == .other("BREW"))
    }
}
