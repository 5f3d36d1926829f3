import HTTP
import Testing
import Auth

@Suite struct CSRFTests {
    let token = CSRF.newToken()

    @Test func newTokensAreWellFormedAndFresh() {
        #expect(token.count == 64)
        #expect(CSRF.isWellFormed(token))
        #expect(CSRF.newToken() != token)
    }

    @Test func headerEqualToCookiePasses() {
        let request = Request(method: .put, path: "/emails/", csrfHeader: token, cookieHeader: "csrftoken=\(token)")
        #expect(CSRF.isValid(request))
    }

    @Test func formFieldEqualToCookiePasses() {
        let request = Request(
            method: .post, path: "/login/", contentType: "application/x-www-form-urlencoded; charset=UTF-8",
            cookieHeader: "csrftoken=\(token)", body: Array("username=a&csrfmiddlewaretoken=\(token)".utf8))
        #expect(CSRF.isValid(request))
    }

    @Test func mismatchMissingOrMalformedFails() {
        let other = CSRF.newToken()
        let cases = [
            Request(method: .put, path: "/emails/", csrfHeader: other, cookieHeader: "csrftoken=\(token)"),
            Request(method: .put, path: "/emails/", csrfHeader: nil, cookieHeader: "csrftoken=\(token)"),
            Request(method: .put, path: "/emails/", csrfHeader: token, cookieHeader: nil),
            Request(method: .put, path: "/emails/", csrfHeader: "", cookieHeader: "csrftoken="),
            Request(method: .put, path: "/emails/", csrfHeader: "short", cookieHeader: "csrftoken=short"),
            Request(method: .put, path: "/emails/", csrfHeader: String(token.dropLast()), cookieHeader: "csrftoken=\(token)"),
        ]
        for request in cases {
            #expect(!CSRF.isValid(request))
        }
    }

    @Test func tokenForReusesAWellFormedCookie() {
        #expect(CSRF.token(for: Request(method: .get, path: "/login/", cookieHeader: "csrftoken=\(token)")) == token)
        #expect(CSRF.token(for: Request(method: .get, path: "/login/", cookieHeader: "csrftoken=<script>")) != "<script>")
    }
}
