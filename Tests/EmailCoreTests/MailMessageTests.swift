import EmailCore
import Foundation
import Testing

@Suite struct MailAddressTests {
    @Test func parsesDjangoStyleFrom() throws {
        let tutorial = try MailAddress.parse("美多商城<hmmeiduo@163.com>")
        #expect(tutorial.displayName == "美多商城")
        #expect(tutorial.address == "hmmeiduo@163.com")
        #expect(tutorial.domain == "163.com")
        let spaced = try MailAddress.parse("  \"Meiduo Mall\" <noreply@meiduo.site> ")
        #expect(spaced.displayName == "Meiduo Mall")
        #expect(spaced.address == "noreply@meiduo.site")
        let bare = try MailAddress.parse("noreply@meiduo.site")
        #expect(bare.displayName == nil)
    }

    @Test(arguments: ["", "nobody", "a@", "@b", "a b@c.cn", "x<a@b.cn", "<a@b.cn\r\nBcc: y@z.cn>", "Name <a@b.cn>\r\n", "Na\r\nme <a@b.cn>"])
    func rejectsWhatCouldBreakAHeader(text: String) {
        #expect(throws: MailAddress.Invalid.self) { try MailAddress.parse(text) }
    }
}

@Suite struct MailMessageTests {
    let message = MailMessage(
        from: try! MailAddress.parse("美多商城<hmmeiduo@163.com>"),
        to: try! MailAddress(displayName: nil, address: "zhangjieshar@163.com"),
        subject: "美多商城邮箱验证",
        date: 1_557_895_065,
        messageID: MailMessage.makeMessageID(date: 1_557_895_065, domain: "163.com"),
        text: "尊敬的用户您好！\n链接：http://www.meiduo.site:8000/emails/verification/?token=abc\n",
        html: "<p>尊敬的用户您好！</p>\n<p><a href=\"http://x/?token=abc\">http://x/?token=abc</a></p>\n" + String(repeating: "长", count: 2000))

    var rendered: String { String(decoding: message.rendered(), as: UTF8.self) }

    @Test func usesCRLFAndShortLines() {
        let bytes = message.rendered()
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            #expect(bytes[..<index].last == 0x0D, "bare LF at \(index)")
        }
        for line in rendered.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "\(line)")
        }
        #expect(bytes.allSatisfy { $0 < 0x80 }, "the whole message is 7-bit")
    }

    @Test func hasTheRequiredHeaders() {
        let head = rendered.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.contains("From: =?utf-8?b?576O5aSa5ZWG5Z+O?= <hmmeiduo@163.com>\r\n"))
        #expect(head.contains("To: zhangjieshar@163.com\r\n"))
        #expect(head.contains("Subject: =?utf-8?b?576O5aSa5ZWG5Z+O6YKu566x6aqM6K+B?=\r\n"))
        #expect(head.contains("Date: Wed, 15 May 2019 04:37:45 +0000\r\n"))
        #expect(head.contains("Message-ID: <1557895065."))
        #expect(head.contains("@163.com>\r\n"))
        #expect(head.contains("MIME-Version: 1.0\r\n"))
        #expect(head.contains("Content-Type: multipart/alternative;"))
    }

    @Test func longDisplayNamesFoldBeforeTheAddress() throws {
        let from = try MailAddress.parse(String(repeating: "美", count: 40) + " <a-rather-long-address@example-domain.com>")
        for (index, line) in from.headerValue(folding: 6).components(separatedBy: "\r\n").enumerated() {
            #expect((index == 0 ? 6 : 0) + line.count <= 78, "\(line)")
        }
    }

    @Test func messageIDsAreUnique() {
        #expect(MailMessage.makeMessageID(date: 1, domain: "a.cn") != MailMessage.makeMessageID(date: 1, domain: "a.cn"))
    }

    @Test func longSubjectsAreSplitIntoValidEncodedWords() {
        let encoded = EncodedWord.encode(String(repeating: "美多商城邮箱验证", count: 10), prefixLength: 9)
        for (index, line) in encoded.components(separatedBy: "\r\n").enumerated() {
            #expect((index == 0 ? 9 : 0) + line.count <= 78)
            for word in line.split(separator: " ") {
                #expect(word.count <= 75)
                #expect(word.hasPrefix("=?utf-8?b?"))
                #expect(word.hasSuffix("?="))
            }
        }
    }

    /// Parsed back by Python's `email` package, a real and strict MIME parser.
    @Test func pythonsEmailParserReadsItBack() throws {
        let script = """
            import email, email.policy, json, sys
            raw = sys.stdin.buffer.read()
            msg = email.message_from_bytes(raw, policy=email.policy.strict)
            parts = {p.get_content_type(): p.get_content() for p in msg.iter_parts()}
            print(json.dumps({"from": str(msg["From"]), "to": str(msg["To"]), "subject": str(msg["Subject"]),
                "id": msg["Message-ID"], "date": str(msg["Date"]), "defects": len(msg.defects),
                "type": msg.get_content_type(), "text": parts.get("text/plain"), "html": parts.get("text/html")}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(message.rendered()))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let parsed = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(parsed["from"] as? String == "美多商城 <hmmeiduo@163.com>")
        #expect(parsed["to"] as? String == "zhangjieshar@163.com")
        #expect(parsed["subject"] as? String == "美多商城邮箱验证")
        #expect(parsed["id"] as? String == "<\(message.messageID)>")
        #expect(parsed["date"] as? String == "Wed, 15 May 2019 04:37:45 +0000")
        #expect(parsed["defects"] as? Int == 0)
        #expect(parsed["type"] as? String == "multipart/alternative")
        #expect(parsed["text"] as? String == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(parsed["html"] as? String == message.html.replacingOccurrences(of: "\n", with: "\r\n"))
    }
}

@Suite struct LineEndingTests {
    @Test func bareLineFeedsGetACarriageReturn() {
        #expect(MailMessage.crlf(Array("a\nb\r\nc\n\n".utf8)) == Array("a\r\nb\r\nc\r\n\r\n".utf8))
        #expect(MailMessage.crlf([]) == [])
        #expect(MailMessage.crlf(Array("\r".utf8)) == Array("\r".utf8))
    }
}
