import HTTP
import Testing

@Suite struct CookiesTests {
    @Test func parsesLikeDjango() {
        #expect(Cookies.parse("a=1; b=2") == ["a": "1", "b": "2"])
        #expect(Cookies.parse("  sessionid = abc ;csrftoken=xyz ") == ["sessionid": "abc", "csrftoken": "xyz"])
        #expect(Cookies.parse("a=1; a=2") == ["a": "2"], "the last duplicate wins")
        #expect(Cookies.parse("novalue") == ["": "novalue"])
        #expect(Cookies.parse("a=\"quoted\"") == ["a": "quoted"])
        #expect(Cookies.parse("a=b=c") == ["a": "b=c"])
        #expect(Cookies.parse(";;; ;") == [:])
        #expect(Cookies.parse("") == [:])
        #expect(Cookies.parse("名=值") == ["名": "值"])
    }

    @Test func setCookieLooksLikeDjangos() {
        let now: Int64 = 1_764_061_255 // Tue, 25 Nov 2025 09:00:55 GMT
        let session = SetCookie(name: "sessionid", value: "abc", maxAge: 1_209_600, httpOnly: true)
        #expect(
            session.headerValue(now: now) == "sessionid=abc; expires=Tue, 09 Dec 2025 09:00:55 GMT; Max-Age=1209600; HttpOnly; Path=/; SameSite=Lax")
        let browserSession = SetCookie(name: "sessionid", value: "abc", httpOnly: true, secure: true)
        #expect(browserSession.headerValue(now: now) == "sessionid=abc; HttpOnly; Path=/; SameSite=Lax; Secure")
        #expect(
            SetCookie.expired("username").headerValue(now: now) == "username=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"
        )
    }
}

@Suite struct HTTPDateTests {
    @Test func formatsKnownInstants() {
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.format(1_557_895_065) == "Wed, 15 May 2019 04:37:45 GMT")
        #expect(HTTPDate.format(4_102_444_799, zone: "+0000") == "Thu, 31 Dec 2099 23:59:59 +0000")
    }
}
