import HTTP
import Testing

@Suite struct RouterTests {
    let router: Router<String> = {
        var router = Router<String>()
        router.add("/emails/", .json, databaseFailure: HTTPError(.ok, code: .database, "添加邮箱失败"), [(.put, "bind")])
        router.add("/login/", .html, [(.get, "form"), (.post, "submit")])
        return router
    }()

    @Test func matchesMethodAndExactPath() {
        guard case .found(let handler, let route) = router.match(.put, "/emails/") else { Issue.record("no match"); return }
        #expect(handler == "bind")
        #expect(route.flavor == .json)
        guard case .found(let post, _) = router.match(.post, "/login/") else { Issue.record("no match"); return }
        #expect(post == "submit")
    }

    @Test func otherMethodsAreNotAllowedAndSayWhatIs() {
        guard case .methodNotAllowed(let allow, let route) = router.match(.delete, "/login/") else { Issue.record("expected 405"); return }
        #expect(allow == [.get, .post])
        #expect(route.flavor == .html)
        guard case .methodNotAllowed(_, let json) = router.match(.get, "/emails/"), json.flavor == .json else {
            Issue.record("expected JSON 405")
            return
        }
    }

    @Test func eachRouteSaysHowADatabaseFailureIsAnswered() {
        guard case .found(_, let emails) = router.match(.put, "/emails/"), case .found(_, let login) = router.match(.get, "/login/") else {
            Issue.record("no match")
            return
        }
        #expect(emails.databaseFailure.message == "添加邮箱失败")
        #expect(emails.databaseFailure.status == .ok)
        #expect(login.databaseFailure.status == .internalServerError)
        #expect(login.databaseFailure.code == .database)
    }

    @Test func aDatabaseThatStaysBusyIsA503WithRetryAfterInTheRoutesWords() {
        guard case .found(_, let emails) = router.match(.put, "/emails/"), case .found(_, let login) = router.match(.get, "/login/") else {
            Issue.record("no match")
            return
        }
        for failure in [emails.databaseFailure, login.databaseFailure] {
            let busy = failure.databaseBusy(retryAfter: 2)
            #expect(busy.status == .serviceUnavailable)
            #expect(busy.code == failure.code)
            #expect(busy.message == failure.message)
            #expect(busy.headers.contains { $0.name == "Retry-After" && $0.value == "2" })
            #expect(busy.fields.map(\.0) == ["retry_after"])
            #expect(busy.hint?.contains("2 秒") == true)
        }
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
