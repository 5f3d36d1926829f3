import Auth
import Testing

@Suite struct RedirectTargetTests {
    @Test(arguments: ["/info/", "/emails/?a=1", "/a/b/c/", "/info/#top"])
    func sameSitePathsAreKept(next: String) {
        #expect(RedirectTarget.sanitize(next) == next)
    }

    @Test(
        arguments: [
            nil, "", "info/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "https://evil.example/",
            "javascript:alert(1)", "/info/\r\nSet-Cookie: x=1", "/in fo/", "/\u{7F}", "/信息/", " /info/",
        ] as [String?])
    func everythingElseFallsBack(next: String?) {
        #expect(RedirectTarget.sanitize(next) == "/info/")
    }
}

@Suite struct MobileNumberTests {
    @Test func rule() {
        #expect(MobileNumber.isValid("13800000000"))
        #expect(MobileNumber.isValid("19912345678"))
        #expect(!MobileNumber.isValid("12800000000"))
        #expect(!MobileNumber.isValid("1380000000"))
        #expect(!MobileNumber.isValid("138000000000"))
        #expect(!MobileNumber.isValid("1380000000a"))
        #expect(!MobileNumber.isValid("１３８００００００００"))
    }
}
