import EmailCore
import Foundation
import HTTP
import Processes
import Testing

/// `POST /emails/verification/resend/`, the expired link's "send again": its answer is a page
/// of its own, not the error page.
@Suite(.serialized) struct ResendTests {
    func expiredToken(_ client: TestClient, userID: Int64, email: String) -> String {
        VerificationToken.sign(
            .init(userID: userID, email: email), secret: client.settings.secretKey, issuedAt: Clock.unixSeconds() - 200_000,
            expiresIn: 86400)
    }

    func resend(_ client: TestClient, token: String) throws -> Response {
        let csrf = try #require(client.cookies["csrftoken"])
        return client.execute(
            .post, "/emails/verification/resend/", body: client.form(["token": token, "csrfmiddlewaretoken": csrf]),
            contentType: "application/x-www-form-urlencoded")
    }

    @Test func aNewMailOrAVerifiedAddressIsSaidOnTheResentPage() throws {
        let client = try TestClient(["MEIDUO_THROTTLE_ADDRESS_INTERVAL": "0", "MEIDUO_THROTTLE_USER_HOURLY": "0"])
        let user = try client.makeUser()
        try client.logIn(user)
        let email = "v\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let csrf = try #require(client.cookies["csrftoken"])
        let bound = client.execute(.put, "/emails/", body: Array("{\"email\":\"\(email)\"}".utf8), contentType: "application/json", csrfHeader: csrf)
        #expect(bound.status == .ok)
        let token = expiredToken(client, userID: user.id, email: email)

        let sent = try resend(client, token: token)
        #expect(sent.status == .ok)
        let page = TestClient.text(sent)
        #expect(page.contains("<title>验证邮件 - 美多商城</title>"), "the resent page's own template")
        #expect(page.contains("验证邮件已重新发送"))
        #expect(page.contains(email))
        #expect(!page.contains("status-code"))

        let fresh = VerificationToken.sign(
            .init(userID: user.id, email: email), secret: client.settings.secretKey, issuedAt: Clock.unixSeconds(), expiresIn: 86400)
        #expect(client.execute(.get, "/emails/verification/", query: "token=" + fresh).status == .found)
        let verified = TestClient.text(try resend(client, token: token))
        #expect(verified.contains("<title>验证邮件 - 美多商城</title>"))
        #expect(verified.contains("该邮箱已验证"))
        #expect(verified.contains(email))
    }
}
