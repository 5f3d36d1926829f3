import Foundation
import Testing
import Views

@Suite struct TemplatesTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "templates-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path + "/mail", withIntermediateDirectories: true)
        let files = [
            "page": "<p title=\"{{value}}\">{{value}}</p>",
            "layout": "<title>{{$title}}{{/title}}</title><main>{{$content}}{{/content}}</main>",
            "child": "{{<layout}}{{$title}}{{value}}{{/title}}{{$content}}<i data-x='{{value}}'>{{#list}}{{item}}{{/list}}</i>{{/content}}{{/layout}}",
            "partial": "<b>{{> page}}</b>",
            "pragma": "{{% CONTENT_TYPE: TEXT}}<u>{{value}}</u>",
            "mail/body.html": "<a href=\"{{value}}\">{{value}}</a>",
            "mail/body.txt": "{{% CONTENT_TYPE: TEXT}}\n{{value}}",
        ]
        for (name, text) in files {
            try! text.write(toFile: "\(path)/\(name).mustache", atomically: true, encoding: .utf8)
        }
        return path
    }()

    var templates: Templates { try! Templates(directory: folder, required: []) }

    /// Values that defeat an escaper working on `Character`s: a quote or bracket followed by a
    /// combining mark, a zero-width joiner or a variation selector is one grapheme with it.
    static let hostile = [
        "\"\u{301} autofocus onfocus=alert(1) x=\"", "<\u{301}script>", ">\u{200D}", "'\u{FE0F}", "&\u{301}amp;",
        "\"\u{200D}\u{200D}><img src=x onerror=alert(1)>", "a\u{FFFD}\"\u{FFFD}<", "{{#x}}{{/x}}{{{y}}}", "美\"多'<>&",
    ]

    @Test(arguments: hostile)
    func everyTemplateEscapesEveryValueByteByByte(value: String) {
        let expected = HTMLEscaper.escape(value)
        let templates = templates
        #expect(templates.html("page", ["value": value]) == "<p title=\"\(expected)\">\(expected)</p>")
        #expect(templates.html("partial", ["value": value]) == "<b><p title=\"\(expected)\">\(expected)</p></b>")
        #expect(templates.html("pragma", ["value": value]) == "<u>\(expected)</u>")
        #expect(templates.html("mail/body.html", ["value": value]) == "<a href=\"\(expected)\">\(expected)</a>")
        #expect(templates.html("child", ["value": value, "list": [["item": value]]])
            == "<title>\(expected)</title><main><i data-x='\(expected)'>\(expected)</i></main>")
        #expect(templates.text("mail/body.txt", ["value": value]) == value)
    }

    @Test func escaperWorksOnBytes() {
        #expect(HTMLEscaper.escape("\"\u{301}<'>&") == "&quot;\u{301}&lt;&#39;&gt;&amp;")
        #expect(HTMLEscaper.escape("{}") == "&#123;&#125;")
        #expect(HTMLEscaper.escape("plain text 美") == "plain text 美")
        for value in Self.hostile {
            let bytes = Array(HTMLEscaper.escape(value).utf8)
            #expect(!bytes.contains { "\"'<>{}".utf8.contains($0) }, "\(value)")
        }
    }

    @Test func numbersAndFlagsRender() {
        let file = folder + "/flags.mustache"
        try! "{{n}}{{#on}}yes{{/on}}{{^off}}no{{/off}}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(templates.html("flags", ["n": 403, "on": true, "off": false]) == "403yesno")
    }

    @Test func unescapedOutputIsRefusedAtLoad() {
        for (index, text) in ["<p>{{{value}}}</p>", "<p>{{& value}}</p>", "<p>{{&value}}</p>"].enumerated() {
            let directory = folder + "/raw\(index)"
            try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try! text.write(toFile: directory + "/page.mustache", atomically: true, encoding: .utf8)
            #expect(throws: Templates.LoadError.self) { try Templates(directory: directory, required: []) }
        }
    }

    @Test func missingTemplatesStopStartUp() {
        #expect(throws: Templates.LoadError.self) { try Templates(directory: folder, required: ["absent"]) }
        #expect(throws: Templates.LoadError.self) { try Templates(directory: folder + "/nope", required: []) }
    }
}
