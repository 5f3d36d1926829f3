import Foundation
import Testing
@testable import Views

@Suite struct TemplatesTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "templates-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path + "/mail", withIntermediateDirectories: true)
        try! "<p>{{value}}</p>".write(toFile: path + "/page.mustache", atomically: true, encoding: .utf8)
        try! "{{% CONTENT_TYPE: HTML}}\n<a href=\"{{value}}\">{{value}}</a>".write(toFile: path + "/mail/fast.mustache", atomically: true, encoding: .utf8)
        try! "{{% CONTENT_TYPE: TEXT}}\n{{value}}".write(toFile: path + "/mail/text.mustache", atomically: true, encoding: .utf8)
        return path
    }()

    @Test func bothHTMLEscapersEscapeTheSameCharacters() throws {
        let templates = try Templates(directory: folder, required: ["page", "mail/fast", "mail/text"])
        let hostile = "\"><script>alert('x')</script>&amp;美"
        let escaped = "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;美"
        #expect(templates.render("page", ["value": hostile]) == "<p>\(escaped)</p>")
        #expect(templates.render("mail/fast", ["value": hostile]) == "<a href=\"\(escaped)\">\(escaped)</a>")
        #expect(templates.render("mail/text", ["value": hostile]) == hostile)
        #expect(HTMLEscaping().escapeText("plain text 美") == "plain text 美")
    }

    @Test func missingTemplatesStopStartUp() {
        #expect(throws: Templates.LoadError.self) { try Templates(directory: folder, required: ["absent"]) }
        #expect(throws: Templates.LoadError.self) { try Templates(directory: folder + "/nope", required: []) }
    }
}
