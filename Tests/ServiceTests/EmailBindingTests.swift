import Foundation
import HTTP
import Testing
import Store

/// `PUT /emails/` through the real router and controllers: the contract's check order
/// (session → CSRF → body → pattern → throttle → database) and what each step answers.
@Suite(.serialized) struct EmailBindingTests {
    func address() -> String { "b\(UUID().uuidString.prefix(8).lowercased())@example.com" }

    func put(_ client: TestClient, body: String, csrf: String?) -> Response {
        client.execute(.put, "/emails/", body: Array(body.utf8), contentType: "application/json", csrfHeader: csrf)
    }

    @Test func withoutASessionEverythingElseIsNotLookedAt() throws {
        let client = try TestClient()
        let response = put(client, body: "not json", csrf: "wrong")
        #expect(response.status == .ok)
        #expect(TestClient.json(response) as NSDictionary == ["code": "4101", "errmsg": "用户未登录"])
        #expect(client.rings == 0)
    }

    @Test func csrfIsCheckedBeforeTheBody() throws {
        let client = try TestClient()
        try client.logIn(try client.makeUser())
        for csrf in [nil, "", "x", String(repeating: "a", count: 64)] {
            let response = put(client, body: "not json", csrf: csrf)
            #expect(response.status == .forbidden && TestClient.json(response)["code"] as? String == "4009")
        }
    }

    @Test func thenTheBodyThenThePatternThenTheThrottle() throws {
        let client = try TestClient()
        let user = try client.makeUser()
        try client.logIn(user)
        let csrf = try #require(client.cookies["csrftoken"])
        let malformed = put(client, body: "{\"email\":", csrf: csrf)
        #expect(malformed.status == .badRequest && TestClient.json(malformed)["code"] as? String == "5006")
        let missing = put(client, body: "{}", csrf: csrf)
        #expect(missing.status == .badRequest && TestClient.json(missing)["code"] as? String == "4003")
        let bad = put(client, body: "{\"email\":\"Upper@example.com\"}", csrf: csrf)
        #expect(bad.status == .forbidden && TestClient.json(bad) as NSDictionary == ["code": "5001", "errmsg": "参数email有误"])
        #expect(client.rings == 0, "nothing was queued")

        let email = address()
        let saved = put(client, body: "{\"email\":\"\(email)\"}", csrf: csrf)
        #expect(saved.status == .ok && TestClient.json(saved)["code"] as? String == "0")
        #expect(client.rings == 1, "the senders are rung once the mail is committed")
        let again = put(client, body: "{\"email\":\"\(email)\"}", csrf: csrf)
        #expect(again.status == .tooManyRequests && TestClient.json(again)["code"] as? String == "4002")
        #expect(client.rings == 1)
    }

    @Test func aDatabaseFailureIsTheRoutesOwnAnswer() throws {
        let client = try TestClient(["MEIDUO_DB_NAME": "no_such_database"])
        let response = client.execute(
            .put, "/emails/", body: Array("{\"email\":\"a@b.cn\"}".utf8), contentType: "application/json", csrfHeader: "x",
            cookies: ["sessionid": String(repeating: "0", count: 64)])
        #expect(response.status == .ok)
        #expect(TestClient.json(response) as NSDictionary == ["code": "5000", "errmsg": "添加邮箱失败"])
        let page = client.execute(.get, "/info/", cookies: ["sessionid": String(repeating: "0", count: 64)])
        #expect(page.status == .internalServerError && TestClient.text(page).contains("服务器繁忙"))
    }

    @Test func otherMethodsAndPathsAreAnsweredInTheRoutesFlavor() throws {
        let client = try TestClient()
        let get = client.execute(.get, "/emails/")
        #expect(get.status == .methodNotAllowed && TestClient.json(get)["code"] as? String == "4009")
        #expect(get.headers.contains { $0.name == "Allow" && $0.value == "PUT" })
        let unslashed = client.execute(.put, "/emails")
        #expect(unslashed.status == .notFound && unslashed.headers.contains { $0.value == "application/json" })
        let page = client.execute(.get, "/nowhere/")
        #expect(page.status == .notFound && page.headers.contains { $0.value.hasPrefix("text/html") })
    }
}

/// A request retried with the same id (the service's own retry after a lost connection, or
/// nginx passing a PUT on to another instance: `$request_id` stays the same) answers what the
/// first did and queues nothing twice (issue 10, item 5).
@Suite(.serialized) struct RetriedRequestTests {
    @Test func theSameRequestTwiceQueuesOneMail() throws {
        let client = try TestClient()
        let user = try client.makeUser()
        try client.logIn(user)
        let csrf = try #require(client.cookies["csrftoken"])
        let id = Request.makeID()
        let email = "r\(UUID().uuidString.prefix(8).lowercased())@example.com"
        func put() -> Response {
            client.execute(.put, "/emails/", body: Array("{\"email\":\"\(email)\"}".utf8), contentType: "application/json",
                           csrfHeader: csrf, requestID: id)
        }
        let first = put(), second = put()
        #expect(first.status == .ok && TestClient.json(first)["code"] as? String == "0")
        #expect(second.status == .ok && TestClient.json(second)["code"] as? String == "0", "not a false 4002")
        #expect(first.headers.contains { $0 == ("X-Request-Id", id) })
        let rows = try client.database.run {
            try $0.query("SELECT COUNT(*), MIN(request_id) FROM meiduo_outbox WHERE user_id = ?", [.int(user.id)]).first
        }
        #expect(rows?.int(0) == 1 && rows?.string(1) == id)
        // Another request for the same address is a resend, throttled as such.
        let resend = client.execute(.put, "/emails/", body: Array("{\"email\":\"\(email)\"}".utf8), contentType: "application/json",
                                    csrfHeader: csrf, requestID: Request.makeID())
        #expect(resend.status == .tooManyRequests)
    }
}
