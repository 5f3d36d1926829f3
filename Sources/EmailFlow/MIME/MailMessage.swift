import Codecs
import HTTP
import OpenSSL

/// A complete RFC 5322 message with a plain-text and an HTML alternative: RFC 2047 headers,
/// `Date`, `Message-ID`, `MIME-Version`, UTF-8 bodies in base64, CRLF line endings, no line
/// over 78 characters. Every header value is either fixed, validated, or encoded, so nothing
/// a user typed can start a header of its own.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    /// Unix seconds.
    public var date: Int64
    /// Without angle brackets.
    public var messageID: String
    public var text: String
    public var html: String

    public init(from: MailAddress, to: MailAddress, subject: String, date: Int64, messageID: String, text: String, html: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.text = text
        self.html = html
    }

    /// A globally unique id: time, 128 random bits, and the sender's domain.
    public static func makeMessageID(date: Int64, domain: String) -> String {
        "\(date).\(Hex.encode(SecureRandom.bytes(16)))@\(domain)"
    }

    public func rendered() -> [UInt8] {
        let boundary = "=_meiduo_" + Hex.encode(SecureRandom.bytes(12))
        var out = ""
        out += "From: \(from.headerValue(folding: "From: ".count))\r\n"
        out += "To: \(to.headerValue(folding: "To: ".count))\r\n"
        out += "Subject: \(subjectValue())\r\n"
        out += "Date: \(HTTPDate.format(date, zone: "+0000"))\r\n"
        out += "Message-ID: <\(messageID)>\r\n"
        out += "MIME-Version: 1.0\r\n"
        out += "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"\r\n"
        out += "\r\n"
        out += part(boundary: boundary, type: "text/plain", body: text)
        out += part(boundary: boundary, type: "text/html", body: html)
        out += "--\(boundary)--\r\n"
        return Array(out.utf8)
    }

    private func subjectValue() -> String {
        subject.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && "Subject: ".count + subject.count <= EncodedWord.maximumLineLength
            ? subject
            : EncodedWord.encode(subject, prefixLength: "Subject: ".count)
    }

    private func part(boundary: String, type: String, body: String) -> String {
        "--\(boundary)\r\n"
            + "Content-Type: \(type); charset=\"utf-8\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + Self.base64Lines(Array(Self.crlf(body).utf8))
    }

    /// Bodies get CRLF line endings before they are encoded, as text parts must have.
    /// (A Swift `Character` holds "\r\n" whole, so only bare line feeds are rewritten.)
    static func crlf(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "\n" { out += "\r\n" } else { out.append(character) }
        }
        return out
    }

    /// Base64 in lines of 76 characters, each ended by CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(Base64.encode(bytes).utf8)
        var out = ""
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            out += String(decoding: encoded[start..<end], as: UTF8.self) + "\r\n"
            start = end
        }
        return out
    }
}
