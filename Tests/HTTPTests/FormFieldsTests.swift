import HTTP
import Testing

@Suite struct FormFieldsTests {
    func fields(_ text: String) -> FormFields { FormFields(Array(text.utf8)) }

    @Test func decodesPairs() {
        let form = fields("username=demo&password=a%20b+c&next=%2Finfo%2F&remembered")
        #expect(form["username"] == "demo")
        #expect(form["password"] == "a b c")
        #expect(form["next"] == "/info/")
        #expect(form["remembered"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func lastDuplicateWins() {
        #expect(fields("token=1&token=2")["token"] == "2")
    }

    @Test func utf8AndHostileInput() {
        #expect(fields("name=%E7%BE%8E%E5%A4%9A")["name"] == "美多")
        #expect(fields("a=%zz%4")["a"] == "%zz%4", "invalid escapes stay as they are")
        #expect(fields("a=%FF%FE")["a"] == "\u{FFFD}\u{FFFD}", "invalid UTF-8 becomes U+FFFD")
        #expect(fields("a=%00")["a"] == "\u{0}")
        #expect(fields("&&=&a=1")["a"] == "1")
        #expect(fields("=x")[""] == "x")
    }

    @Test func requestQueryAndForm() throws {
        let request = Request(
            method: .post, path: "/login/", queryString: "next=%2Finfo%2F",
            contentType: "Application/X-WWW-Form-Urlencoded; charset=utf-8", body: Array("a=1".utf8))
        #expect(request.query("next") == "/info/")
        #expect(try request.form()["a"] == "1")
        let json = Request(method: .post, path: "/login/", contentType: "application/json", body: Array("a=1".utf8))
        #expect(try json.form()["a"] == nil, "only form bodies are read as forms")
    }

    /// A refused body has no bytes and no form, whatever its type: reading it is the 413 error.
    @Test(arguments: ["application/x-www-form-urlencoded", "application/json", ""])
    func aRefusedBodyCannotBeReadAsAnEmptyOne(contentType: String) {
        var request = Request(method: .post, path: "/login/", contentType: contentType)
        request.body = .refused
        let bytes = #expect(throws: HTTPError.self) { try request.body.bytes() }
        let form = #expect(throws: HTTPError.self) { try request.form() }
        #expect(bytes?.status == .payloadTooLarge)
        #expect(form?.status == .payloadTooLarge)
    }
}
