import Foundation
import HTTP
import Store
import Testing

/// The login flow and CSRF through the real app.
@Suite(.serialized) struct LoginTests {
    @Test func loginSetsASessionTheUserCenterAcceptsAndLogoutEndsIt() throws {
        let client = try TestClient()
        let user = try client.makeUser()
        #expect(client.execute(.get, "/info/").status == .found)
        try client.logIn(user)
        let page = client.execute(.get, "/info/")
        #expect(page.status == .ok)
        #expect(TestClient.text(page).contains(user.username))
        let out = client.execute(.get, "/logout/")
        #expect(out.status == .found)
        #expect(client.cookies["sessionid"] == nil)
        let count = try client.rows("SELECT COUNT(*) FROM meiduo_sessions WHERE user_id = ?", [.int(user.id)]).first?.int(0)
        #expect(count == 0, "the session is deleted server-side")
    }

    @Test func aLoginPostWithoutTheFormsTokenIsRefused() throws {
        let client = try TestClient()
        let user = try client.makeUser()
        _ = client.execute(.get, "/login/")
        for token in [nil, "", String(repeating: "a", count: 64)] as [String?] {
            var fields = ["username": user.username, "password": user.password]
            fields["csrfmiddlewaretoken"] = token
            let response = client.execute(.post, "/login/", body: client.form(fields), contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .forbidden)
            #expect(client.cookies["sessionid"] == nil)
        }
    }

    @Test func wrongPasswordGivesTheFormAgain() throws {
        let client = try TestClient()
        let user = try client.makeUser()
        let page = client.execute(.get, "/login/")
        let token = try #require(TestClient.hiddenField("csrfmiddlewaretoken", in: page))
        let response = client.execute(
            .post, "/login/", body: client.form(["username": user.username, "password": "wrong", "csrfmiddlewaretoken": token]),
            contentType: "application/x-www-form-urlencoded")
        #expect(response.status == .badRequest)
        #expect(TestClient.text(response).contains("用户名或密码错误"))
        #expect(client.cookies["sessionid"] == nil)
    }
}
