import Foundation
import HTTP
import MariaDB
import Store
import Testing

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
        #expect(client.handedOver().isEmpty)
    }

    @Test func csrfIsCheckedBeforeTheBody() throws {
        let client = try TestClient()
        try client.logIn(try client.makeUser())
        for csrf in [nil, "", "x", String(repeating: "a", count: 64)] {
            let response = put(client, body: "not json", csrf: csrf)
            #expect(response.status == .forbidden)
            #expect(TestClient.json(response)["code"] as? String == "4009")
        }
    }

    @Test func thenTheBodyThenThePatternThenTheThrottle() throws {
        let client = try TestClient()
        let user = try client.makeUser()
        try client.logIn(user)
        let csrf = try #require(client.cookies["csrftoken"])
        let malformed = put(client, body: "{\"email\":", csrf: csrf)
        #expect(malformed.status == .badRequest)
        #expect(TestClient.json(malformed)["code"] as? String == "5006")
        let missing = put(client, body: "{}", csrf: csrf)
        #expect(missing.status == .badRequest)
        #expect(TestClient.json(missing)["code"] as? String == "4003")
        let bad = put(client, body: "{\"email\":\"Upper@example.com\"}", csrf: csrf)
        #expect(bad.status == .forbidden)
        #expect(TestClient.json(bad) as NSDictionary == ["code": "5001", "errmsg": "参数email有误"])
        #expect(client.handedOver().isEmpty, "nothing was queued")

        let email = address()
        let saved = put(client, body: "{\"email\":\"\(email)\"}", csrf: csrf)
        #expect(saved.status == .ok)
        #expect(TestClient.json(saved)["code"] as? String == "0")
        #expect(client.handedOver().count == 1, "the mail is handed to the senders once it is committed")
        let again = put(client, body: "{\"email\":\"\(email)\"}", csrf: csrf)
        #expect(again.status == .tooManyRequests)
        #expect(TestClient.json(again)["code"] as? String == "4002")
        #expect(client.handedOver().isEmpty)
    }

    @Test func aDatabaseFailureIsTheRoutesOwnAnswer() throws {
        let client = try TestClient(["MEIDUO_DB_NAME": "no_such_database"])
        let response = client.execute(
            .put, "/emails/", body: Array("{\"email\":\"a@b.cn\"}".utf8), contentType: "application/json", csrfHeader: "x",
            cookies: ["sessionid": String(repeating: "0", count: 64)])
        #expect(response.status == .ok)
        #expect(TestClient.json(response) as NSDictionary == ["code": "5000", "errmsg": "添加邮箱失败"])
        let page = client.execute(.get, "/info/", cookies: ["sessionid": String(repeating: "0", count: 64)])
        #expect(page.status == .internalServerError)
        #expect(TestClient.text(page).contains("服务器繁忙"))
    }

    @Test func otherMethodsAndPathsAreAnsweredInTheRoutesFlavor() throws {
        let client = try TestClient()
        let get = client.execute(.get, "/emails/")
        #expect(get.status == .methodNotAllowed)
        #expect(TestClient.json(get)["code"] as? String == "4009")
        #expect(get.headers.contains { $0.name == "Allow" && $0.value == "PUT" })
        let unslashed = client.execute(.put, "/emails")
        #expect(unslashed.status == .notFound)
        #expect(unslashed.headers.contains { $0.value == "application/json" })
        let page = client.execute(.get, "/nowhere/")
        #expect(page.status == .notFound)
        #expect(page.headers.contains { $0.value.hasPrefix("text/html") })
    }
}

/// A request retried with the same id (the service's own retry after a lost connection, or
/// nginx passing a PUT on to another instance: `$request_id` stays the same) answers what the
/// first did and queues nothing twice.
@Suite(.serialized) struct RetriedRequestTests {
    @Test func theSameRequestTwiceQueuesOneMail() throws {
        let client = try TestClient()
        let user = try client.makeUser()
        try client.logIn(user)
        let csrf = try #require(client.cookies["csrftoken"])
        let id = Request.makeID()
        let email = "r\(UUID().uuidString.prefix(8).lowercased())@example.com"
        func put() -> Response {
            client.execute(
                .put, "/emails/", body: Array("{\"email\":\"\(email)\"}".utf8), contentType: "application/json",
                csrfHeader: csrf, requestID: id)
        }
        let first = put(), second = put()
        #expect(first.status == .ok)
        #expect(TestClient.json(first)["code"] as? String == "0")
        #expect(second.status == .ok, "not a false 4002")
        #expect(TestClient.json(second)["code"] as? String == "0", "not a false 4002")
        #expect(first.headers.contains { $0 == ("X-Request-Id", id) })
        let rows = try client.rows("SELECT COUNT(*), MIN(request_id) FROM meiduo_outbox WHERE user_id = ?", [.int(user.id)]).first
        #expect(rows?.int(0) == 1)
        #expect(rows?.string(1) == id)
        // Another request for the same address is a resend, throttled as such.
        let resend = client.execute(
            .put, "/emails/", body: Array("{\"email\":\"\(email)\"}".utf8), contentType: "application/json",
            csrfHeader: csrf, requestID: Request.makeID())
        #expect(resend.status == .tooManyRequests)
    }
}

/// The idempotency key is the user's request for that address: another user's request with the
/// same id, or the same id for another address, is a request of its own.
@Suite(.serialized) struct RequestKeyTests {
    func put(_ client: TestClient, _ email: String, id: String) throws -> Response {
        let csrf = try #require(client.cookies["csrftoken"])
        return client.execute(
            .put, "/emails/", body: Array("{\"email\":\"\(email)\"}".utf8), contentType: "application/json",
            csrfHeader: csrf, requestID: id)
    }

    func mails(_ client: TestClient, _ user: (id: Int64, username: String, password: String)) throws -> [String] {
        try client.rows("SELECT recipient FROM meiduo_outbox WHERE user_id = ? ORDER BY id", [.int(user.id)]).map { try $0.requiredString(0) }
    }

    @Test func anotherUsersRequestWithTheSameIDBindsItsOwnAddress() throws {
        let client = try TestClient()
        let id = Request.makeID()
        for _ in 0..<2 {
            let user = try client.makeUser()
            try client.logIn(user)
            let email = "k\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let response = try put(client, email, id: id)
            #expect(response.status == .ok)
            #expect(TestClient.json(response)["code"] as? String == "0")
            #expect(try mails(client, user) == [email], "each user's mail is queued")
            #expect(try client.database.run { try Users.find(id: user.id, on: $0)?.email } == email)
        }
    }

    @Test func theSameIDForAnotherAddressBindsThatAddress() throws {
        let client = try TestClient(["MEIDUO_THROTTLE_ADDRESS_INTERVAL": "0"])
        let user = try client.makeUser()
        try client.logIn(user)
        let id = Request.makeID()
        let first = "k\(UUID().uuidString.prefix(8).lowercased())@example.com", second = "l\(UUID().uuidString.prefix(8).lowercased())@example.com"
        #expect(TestClient.json(try put(client, first, id: id))["code"] as? String == "0")
        #expect(TestClient.json(try put(client, second, id: id))["code"] as? String == "0")
        #expect(TestClient.json(try put(client, second, id: id))["code"] as? String == "0", "and that again is a retry of it")
        #expect(try mails(client, user) == [first, second])
        #expect(try client.database.run { try Users.find(id: user.id, on: $0)?.email } == second)
    }
}

/// The responder's hand-over to the senders: the new mail is inserted already
/// leased under the responder thread's claim, and its id goes down the pipe; what a sender
/// does with such a record, against the real procedure and tables.
@Suite(.serialized) struct HandoverTests {
    func put(_ client: TestClient) throws -> Response {
        let user = try client.makeUser()
        try client.logIn(user)
        let csrf = try #require(client.cookies["csrftoken"])
        let email = "h\(UUID().uuidString.prefix(8).lowercased())@example.com"
        return client.execute(.put, "/emails/", body: Array("{\"email\":\"\(email)\"}".utf8), contentType: "application/json", csrfHeader: csrf)
    }

    func row(_ client: TestClient, _ id: Int64) throws -> Row? {
        try client.rows(
            """
            SELECT status, attempts, claim, message IS NULL, TIMESTAMPDIFF(SECOND, NOW(6), due_at),
                (SELECT LENGTH(b.message) FROM meiduo_outbox_bodies AS b WHERE b.id = o.id)
            FROM meiduo_outbox AS o WHERE id = ?
            """, [.int(id)]
        ).first
    }

    @Test func aNewMailIsHandedOverLeasedAndItsBodyGoesWhenItIsSent() throws {
        let client = try TestClient(["MEIDUO_MAIL_LEASE": "60"])
        #expect(try put(client).status == .ok)
        let records = client.handedOver()
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(!record.isRing)
        let inserted = try #require(try row(client, record.id))
        #expect(inserted.string(0) == "sending")
        #expect(inserted.int(1) == 1)
        #expect(inserted.int(2) == record.claim)
        #expect(inserted.int(3) == 1, "the body is not in the hot table")
        #expect((58...60).contains(inserted.int(4) ?? 0), "leased for MEIDUO_MAIL_LEASE")
        #expect((inserted.int(5) ?? 0) > 1000)

        let taken = try client.database.run { try Outbox.take([record], on: $0) }
        let mail = try #require(taken.first)
        #expect(taken.count == 1)
        #expect(mail.attempt == 1)
        #expect(mail.claim == record.claim)
        #expect(mail.leaseLeft > 55)
        #expect(String(decoding: mail.message, as: UTF8.self).contains("To: \(mail.recipient)"))
        let stale = Handover.Record(id: record.id, claim: record.claim ^ 1)
        #expect(try client.database.run { try Outbox.take([stale], on: $0) }.isEmpty, "not under that claim: another sender's now")

        try client.database.transaction { try Outbox.record([(mail, .sent)], in: $0) }
        let sent = try #require(try row(client, record.id))
        #expect(sent.string(0) == "sent")
        #expect(sent.int(5) == nil, "the body deleted with it")
    }

    @Test func aHandOverReadByAStoppingSenderGoesBackToTheQueue() throws {
        let client = try TestClient()
        #expect(try put(client).status == .ok)
        let record = try #require(client.handedOver().first)
        #expect(try client.database.run { try Outbox.release(record.id, claim: record.claim ^ 1, on: $0) } == false)
        #expect(try client.database.run { try Outbox.release(record.id, claim: record.claim, on: $0) })
        // Once released, the stack's own senders may take the row at once: either it waits in the
        // queue, its attempt not counted, due now and with its body, or another claim holds it.
        let released = try #require(try row(client, record.id))
        if released.string(0) == "queued" {
            #expect(released.int(1) == 0, "attempt not counted")
            #expect((released.int(4) ?? 1) <= 0, "due now")
            #expect(released.int(5) != nil, "with its body")
        } else {
            #expect(released.int(2) != record.claim, "no longer held by the stopping sender")
        }
    }

    @Test func withoutSendersTheMailWaitsInTheQueueAndTheyAreRung() throws {
        let client = try TestClient(["MEIDUO_MAIL_WORKERS": "0"])
        #expect(try put(client).status == .ok)
        #expect(client.handedOver() == [.ring])
    }
}
