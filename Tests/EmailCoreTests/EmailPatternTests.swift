import EmailCore
import Testing

@Suite struct EmailPatternTests {
    @Test(arguments: [
        "zhangjieshar@163.com", "a@b.cn", "9lives@qq.com", "first.last-x_y@mail-server.site.com",
        "aUPPER_Case@host.com", "a@b.co.uk", "a@host.museu", "a@1-2-3.io", "a-@b.cc", "a..b@b.cc",
        String(repeating: "a", count: 240) + "@example.com",
    ])
    func accepts(address: String) {
        #expect(EmailPattern.matches(address))
    }

    @Test(arguments: [
        "", "@b.cn", "a@", "a@b", "a@b.c", "a@b.museum", "Upper@b.cn", "_a@b.cn", ".a@b.cn", "-a@b.cn",
        "a@B.cn", "a@b.CN", "a@b.cn\n", "a@b.cn\r\n", "a\n@b.cn", "a@b.cn\r\nBcc: x@y.cn", "first@mail.example.com", " a@b.cn", "a@b.cn ",
        "a b@b.cn", "a@b@c.cn", "a@b..cn", "a@.b.cn", "a@b.cn.", "a@b.c1", "a@b.cn.org.uk", "a+b@b.cn",
        "a@b_c.cn", "用户@b.cn", "a@例子.cn", "a@b.cñ", "a\u{0}@b.cn", "a@b.cn\u{0}",
        String(repeating: "a", count: 300) + "@example.com",
        String(repeating: "a", count: 243) + "@example.com",
    ])
    func rejects(address: String) {
        #expect(!EmailPattern.matches(address))
    }

    @Test func lengthLimitIsTheColumnSize() {
        let longest = String(repeating: "a", count: 254 - "@example.com".count) + "@example.com"
        #expect(longest.utf8.count == 254)
        #expect(EmailPattern.matches(longest))
        #expect(!EmailPattern.matches("a" + longest))
    }
}
