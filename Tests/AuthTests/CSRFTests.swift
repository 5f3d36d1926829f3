import Auth
import HTTP
import Settings
import Testing

/// Django 4.2's CSRF, checked against tokens real Django made (DjangoSessionVectors).
@Suite struct CSRFTests {
    typealias V = DjangoSessionVectors
    let csrf = CSRF(try! SessionSettings(Environment(["CSRF_TRUSTED_ORIGINS": "https://shop.example.com,https://*.meiduo.site"])))

    func put(token: String?, cookie: String?, origin: String? = nil, referer: String? = nil, secure: Bool = false) -> Request {
        var request = Request(method: .put, path: "/emails/", csrfHeader: token, isSecure: secure, cookieHeader: cookie.map { "csrftoken=\($0)" })
        request.host = "www.meiduo.site"
        request.origin = origin
        request.referer = referer
        return request
    }

    @Test func theSecretAndEveryMaskedFormOfItPass() throws {
        #expect(try csrf.accepts(put(token: V.csrfSecret, cookie: V.csrfSecret)))
        for masked in V.csrfMasked {
            #expect(CSRF.unmask(masked) == V.csrfSecret)
            #expect(try csrf.accepts(put(token: masked, cookie: V.csrfSecret)))
            #expect(try csrf.accepts(put(token: V.csrfSecret, cookie: masked)), "an older Django's masked cookie")
        }
    }

    @Test func otherSecretsAndMalformedTokensFail() throws {
        #expect(try !csrf.accepts(put(token: V.csrfMaskedOfAnotherSecret, cookie: V.csrfSecret)))
        for token in V.csrfMalformed {
            #expect(try !csrf.accepts(put(token: token, cookie: V.csrfSecret)), "\(token)")
        }
        #expect(try !csrf.accepts(put(token: V.csrfSecret, cookie: nil)))
        #expect(try !csrf.accepts(put(token: nil, cookie: V.csrfSecret)))
        #expect(try !csrf.accepts(put(token: "", cookie: "")))
    }

    @Test func masksAreFreshAndUnmaskToTheSecret() {
        let secret = CSRF.newSecret()
        #expect(secret.count == 32)
        #expect(CSRF.isWellFormed(secret))
        let a = CSRF.mask(secret), b = CSRF.mask(secret)
        #expect(a != b)
        #expect(a.count == 64)
        #expect(CSRF.unmask(a) == secret)
        #expect(CSRF.unmask(b) == secret)
    }

    @Test func formsCarryTheTokenInTheirField() throws {
        let masked = CSRF.mask(V.csrfSecret)
        var request = Request(
            method: .post, path: "/login/", contentType: "application/x-www-form-urlencoded; charset=UTF-8",
            cookieHeader: "csrftoken=\(V.csrfSecret)", body: Array("username=a&csrfmiddlewaretoken=\(masked)".utf8))
        #expect(try csrf.accepts(request))
        request.body = .accepted(Array("username=a".utf8))
        #expect(try !csrf.accepts(request))
    }

    @Test(arguments: [
        ("http://www.meiduo.site", true), ("https://shop.example.com", true), ("https://a.meiduo.site", true),
        ("https://meiduo.site", true), ("https://www.meiduo.site", true), ("http://a.meiduo.site", false),
        ("https://evil.example", false), ("null", false), ("", false), ("https://a.meiduo.site:8443", false),
        ("https://meiduo.site.evil.example", false),
    ])
    func originsAsDjangoJudgesThem(origin: String, accepted: Bool) throws {
        #expect(try csrf.accepts(put(token: V.csrfSecret, cookie: V.csrfSecret, origin: origin)) == accepted, "\(origin)")
    }

    @Test func overHTTPSWithoutOriginTheRefererMustBeThisSiteOrTrusted() throws {
        let cases: [(String?, Bool)] = [
            (nil, false), ("https://www.meiduo.site/info/", true), ("https://shop.example.com/x", true),
            ("https://b.meiduo.site/", true), ("http://www.meiduo.site/info/", false), ("https://evil.example/", false), ("garbage", false),
        ]
        for (referer, accepted) in cases {
            #expect(
                try csrf.accepts(put(token: V.csrfSecret, cookie: V.csrfSecret, referer: referer, secure: true)) == accepted, "\(referer ?? "none")")
        }
        #expect(try csrf.accepts(put(token: V.csrfSecret, cookie: V.csrfSecret)), "plain HTTP without Origin needs no Referer")
    }
}
