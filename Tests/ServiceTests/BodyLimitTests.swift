import HTTP
import Testing

/// A body over MEIDUO_BODY_LIMIT, as the responder marks it (drained, never read): refused with
/// 413 before the handler runs, except on `PUT /emails/`, whose contract checks the session and
/// CSRF first.
@Suite(.serialized) struct BodyLimitTests {
    @Test func everyOtherRouteRefusesItBeforeItsHandlerRuns() throws {
        let client = try TestClient()
        let page = client.execute(.get, "/info/", bodyRefused: true)
        #expect(page.status == .payloadTooLarge, "not the handler's redirect to the login page")
        #expect(TestClient.text(page).contains("请求体过大"))
        let token = try #require(TestClient.hiddenField("csrfmiddlewaretoken", in: client.execute(.get, "/login/")))
        let user = try client.makeUser()
        let login = client.execute(
            .post, "/login/", body: client.form(["username": user.username, "password": user.password, "csrfmiddlewaretoken": token]),
            contentType: "application/x-www-form-urlencoded", bodyRefused: true)
        #expect(login.status == .payloadTooLarge)
        #expect(client.cookies["sessionid"] == nil)
        let status = client.execute(.get, "/emails/status/", bodyRefused: true)
        #expect(status.status == .payloadTooLarge)
        #expect(TestClient.json(status)["code"] as? String == "5006")
    }

    @Test func putEmailsRefusesItAfterTheSessionAndCSRF() throws {
        let client = try TestClient()
        func put(csrf: String?) -> Response {
            client.execute(.put, "/emails/", contentType: "application/json", csrfHeader: csrf, bodyRefused: true)
        }
        let anonymous = put(csrf: nil)
        #expect(anonymous.status == .ok)
        #expect(TestClient.json(anonymous)["code"] as? String == "4101")
        try client.logIn(try client.makeUser())
        let forged = put(csrf: "x")
        #expect(forged.status == .forbidden)
        #expect(TestClient.json(forged)["code"] as? String == "4009")
        let refused = put(csrf: try #require(client.cookies["csrftoken"]))
        #expect(refused.status == .payloadTooLarge)
        #expect(TestClient.json(refused)["code"] as? String == "5006")
        #expect(client.handedOver().isEmpty)
    }
}
