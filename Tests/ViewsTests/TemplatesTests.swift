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
            "child":
                "{{<layout}}{{$title}}{{value}}{{/title}}{{$content}}<i data-x='{{value}}'>{{#list}}{{item}}{{/list}}</i>{{/content}}{{/layout}}",
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

    /// A page of one of the folder's templates, named by `Name`.
    struct Probe<Name: TemplateName>: PageView {
        static var template: String { Name.template }
        let context: ViewContext
    }

    enum Page: TemplateName { static let template = "page" }
    enum Partial: TemplateName { static let template = "partial" }
    enum Pragma: TemplateName { static let template = "pragma" }
    enum Child: TemplateName { static let template = "child" }

    struct Body: MailView {
        static let name = "body"
        let context: ViewContext
    }

    func html(_ view: some PageView) throws -> String {
        String(decoding: try templates.page(view).body, as: UTF8.self)
    }

    /// Values that defeat an escaper working on `Character`s: a quote or bracket followed by a
    /// combining mark, a zero-width joiner or a variation selector is one grapheme with it.
    static let hostile = [
        "\"\u{301} autofocus onfocus=alert(1) x=\"", "<\u{301}script>", ">\u{200D}", "'\u{FE0F}", "&\u{301}amp;",
        "\"\u{200D}\u{200D}><img src=x onerror=alert(1)>", "a\u{FFFD}\"\u{FFFD}<", "{{#x}}{{/x}}{{{y}}}", "美\"多'<>&",
        // The mark around the engine's placeholders, in a value: inserted as it is, never read as one.
        "\u{1}0\u{1}", "\u{1}1\u{1}<",
    ]

    @Test(arguments: hostile)
    func everyTemplateEscapesEveryValueByteByByte(value: String) throws {
        let expected = EscapedHTML(escaping: value).text
        let values: ViewContext = ["value": .text(value), "list": .list([["item": .text(value)]])]
        #expect(try html(Probe<Page>(context: values)) == "<p title=\"\(expected)\">\(expected)</p>")
        #expect(try html(Probe<Partial>(context: values)) == "<b><p title=\"\(expected)\">\(expected)</p></b>")
        #expect(try html(Probe<Pragma>(context: values)) == "<u>\(expected)</u>")
        #expect(try html(Probe<Child>(context: values)) == "<title>\(expected)</title><main><i data-x='\(expected)'>\(expected)</i></main>")
        let mail = try templates.mail(Body(context: values))
        #expect(mail.html == "<a href=\"\(expected)\">\(expected)</a>")
        #expect(mail.text == value)
    }

    @Test func escaperWorksOnBytes() {
        #expect(EscapedHTML(escaping: "\"\u{301}<'>&").text == "&quot;\u{301}&lt;&#39;&gt;&amp;")
        #expect(EscapedHTML(escaping: "{}").text == "&#123;&#125;")
        #expect(EscapedHTML(escaping: "plain text 美").text == "plain text 美")
        for value in Self.hostile {
            let bytes = Array(EscapedHTML(escaping: value).text.utf8)
            #expect(!bytes.contains { "\"'<>{}".utf8.contains($0) }, "\(value)")
        }
    }

    struct Flags: PageView {
        static let template = "flags"
        var context: ViewContext { ["n": .text("403"), "on": .flag(true), "off": .flag(false)] }
    }

    @Test func flagsRender() throws {
        let file = folder + "/flags.mustache"
        try "{{n}}{{#on}}yes{{/on}}{{^off}}no{{/off}}".write(toFile: file, atomically: true, encoding: .utf8)
        let page = try templates.page(Flags(), status: .forbidden)
        #expect(String(decoding: page.body, as: UTF8.self) == "403yesno")
        #expect(page.status == .forbidden)
    }

    struct Absent: PageView {
        static let template = "absent"
        var context: ViewContext { [:] }
    }

    /// A view whose template did not load fails its request; it does not trap the thread.
    @Test func aViewWithoutItsTemplateIsAnError() {
        #expect(throws: Templates.RenderError.self) { try templates.page(Absent()) }
    }

    @Test func viewsNameTheTemplatesToLoad() {
        #expect(Probe<Page>.templates == ["page"])
        #expect(Body.templates == ["mail/body.txt", "mail/body.html"])
    }

    @Test func unescapedOutputIsRefusedAtLoad() {
        for (index, text) in ["<p>{{{value}}}</p>", "<p>{{& value}}</p>", "<p>{{&value}}</p>"].enumerated() {
            let directory = folder + "/raw\(index)"
            try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try! text.write(toFile: directory + "/page.mustache", atomically: true, encoding: .utf8)
            #expect(throws: Templates.LoadError.self) { try Templates(directory: directory, required: []) }
        }
    }

    @Test func theValueMarkIsRefusedInAnHTMLTemplate() {
        let directory = folder + "/marked"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try! "<p>\u{1}0\u{1}</p>".write(toFile: directory + "/page.mustache", atomically: true, encoding: .utf8)
        #expect(throws: Templates.LoadError.self) { try Templates(directory: directory, required: []) }
    }

    /// Many values, each in its place: a list of rows, every one escaped.
    @Test func everyValueOfALongListIsItsOwn() throws {
        let rows: [ViewContext] = (0..<200).map { ["item": .text("<\($0)>")] }
        let page = try html(Probe<Child>(context: ["value": .text("t"), "list": .list(rows)]))
        #expect(page == "<title>t</title><main><i data-x='t'>" + (0..<200).map { "&lt;\($0)&gt;" }.joined() + "</i></main>")
        let tooMany: [ViewContext] = (0..<300).map { ["item": .text("\($0)")] }
        #expect(throws: Templates.RenderError.self) { try html(Probe<Child>(context: ["value": .text("t"), "list": .list(tooMany)])) }
    }

    @Test func missingTemplatesStopStartUp() {
        #expect(throws: Templates.LoadError.self) { try Templates(directory: folder, required: ["absent"]) }
        #expect(throws: Templates.LoadError.self) { try Templates(directory: folder + "/nope", required: []) }
    }
}

protocol TemplateName {
    static var template: String { get }
}
