import Testing
import HTTP

@Suite struct RouterTests {
    let router: Router<String> = {
        var router = Router<String>()
        router.add("/emails/", .json, [(.put, "bind")])
        router.add("/login/", .html, [(.get, "form"), (.post, "submit")])
        return router
    }()

    @Test func matchesMethodAndExactPath() {
        guard case .found(let handler, let flavor) = router.match(.put, "/emails/") else { Issue.record("no match"); return }
        #expect(handler == "bind" && flavor == .json)
        guard case .found(let post, _) = router.match(.post, "/login/") else { Issue.record("no match"); return }
        #expect(post == "submit")
    }

    @Test func otherMethodsAreNotAllowedAndSayWhatIs() {
        guard case .methodNotAllowed(let allow, let flavor) = router.match(.delete, "/login/") else { Issue.record("expected 405"); return }
        #expect(allow == [.get, .post] && flavor == .html)
        guard case .methodNotAllowed(_, .json) = router.match(.get, "/emails/") else { Issue.record("expected JSON 405"); return }
    }

    @Test func unknownOrUnslashedPathsAreNotFound() {
        for path in ["/emails/x", "/", "/EMAILS/", "/login"] {
            guard case .notFound(.html) = router.match(.put, path) else { Issue.record("\(path) matched"); continue }
        }
        guard case .notFound(.json) = router.match(.put, "/emails") else { Issue.record("/emails should be a JSON 404"); return }
    }
}

@Suite struct ResponseTests {
    @Test func serializesCGIHeadersThenBody() {
        var response = Response.json(.noSession, "用户未登录")
        response.cookies = [SetCookie(name: "a", value: "b")]
        let text = String(decoding: response.serialized(now: 0), as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: a=b; Path=/; SameSite=Lax\r\n"))
        #expect(text.contains("X-Frame-Options: DENY\r\n"))
        #expect(text.contains("X-Content-Type-Options: nosniff\r\n"))
        #expect(text.contains("Referrer-Policy: same-origin\r\n"))
        #expect(text.hasSuffix("\r\n\r\n{\"code\":\"4101\",\"errmsg\":\"用户未登录\"}"))
        #expect(text.contains("Content-Length: \(Array("{\"code\":\"4101\",\"errmsg\":\"用户未登录\"}".utf8).count)\r\n"))
    }

    @Test func headHasLengthButNoBody() {
        let text = String(decoding: Response.html("<p>x</p>").serialized(now: 0, includeBody: false), as: UTF8.self)
        #expect(text.hasSuffix("Content-Length: 8\r\n\r\n"))
    }
}
