import HTTP
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesDocuments() throws {
        #expect(try parse(#"{"email":"a@b.cn"}"#)["email"]?.string == "a@b.cn")
        #expect(
            try parse(#" { "a" : [1, -2.5e3, true, false, null, {}] } "#)["a"]
                == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .object([:])]))
        #expect(try parse(#""\u7f8e\u591a \ud83d\ude00 \n\"\\\/""#) == .string("美多 😀 \n\"\\/"))
        #expect(try parse(#"{"a":1,"a":2}"#)["a"] == .number("2"))
        #expect(try parse("123").integer == 123)
        #expect(try parse("1.5").integer == nil)
        #expect(try parse("99999999999999999999").integer == nil)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "'a'", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "[1 2]", "{\"a\":1,}", "\"unterminated", "\"tab\there\"", "\"\\x\"", "\"\\u12\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{} {}", "[] x", "NaN", "Infinity",
    ])
    func rejectsMalformed(text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Error.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try parse(fine) != .null)
        let bomb = String(repeating: "{\"a\":", count: 5_000) + "1" + String(repeating: "}", count: 5_000)
        #expect(throws: JSONParser.Error.self) { try parse(bomb) }
    }
}

@Suite struct JSONWriterTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func writesFieldsInOrder() {
        #expect(text(JSONWriter.object(["code": .string("0"), "errmsg": .string("添加邮箱成功")])) == #"{"code":"0","errmsg":"添加邮箱成功"}"#)
        #expect(text(JSONWriter.object(["alg": .string("HS512"), "iat": .int(1_557_895_065)])) == #"{"alg":"HS512","iat":1557895065}"#)
    }

    @Test func escapes() {
        #expect(text(JSONWriter.object(["a": .string("\"\\\n\r\t\u{1}\u{7F}</")])) == #"{"a":"\"\\\n\r\t\u0001\u007f</"}"#)
        #expect(text(JSONWriter.object(["a": .string("美😀")], asciiOnly: true)) == #"{"a":"\u7f8e\ud83d\ude00"}"#)
    }

    @Test func roundTrips() throws {
        let original = "a\"b\\c\n美😀\u{0}"
        let parsed = try JSONParser.parse(JSONWriter.object(["k": .string(original)], asciiOnly: true))
        #expect(parsed["k"]?.string == original)
    }
}
