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
        var head = ""
        head += "From: \(from.headerValue(folding: "From: ".count))\r\n"
        head += "To: \(to.headerValue(folding: "To: ".count))\r\n"
        head += "Subject: \(subjectValue())\r\n"
        head += "Date: \(HTTPDate.format(date, zone: "+0000"))\r\n"
        head += "Message-ID: <\(messageID)>\r\n"
        head += "MIME-Version: 1.0\r\n"
        head += "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"\r\n"
        head += "\r\n"
        var out = Array(head.utf8)
        out.reserveCapacity(out.count + (text.utf8.count + html.utf8.count) * 14 / 10 + 400)
        appendPart(to: &out, boundary: boundary, type: "text/plain", body: text)
        appendPart(to: &out, boundary: boundary, type: "text/html", body: html)
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    private func subjectValue() -> String {
        subject.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && "Subject: ".count + subject.count <= EncodedWord.maximumLineLength
            ? subject
            : EncodedWord.encode(subject, prefixLength: "Subject: ".count)
    }

    private func appendPart(to out: inout [UInt8], boundary: String, type: String, body: String) {
        out += Array("--\(boundary)\r\nContent-Type: \(type); charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
        Self.appendBase64Lines(Self.crlf(Array(body.utf8)), to: &out)
    }

    /// Bodies get CRLF line endings before they are encoded, as text parts must have: a line
    /// feed without a carriage return before it gets one.
    public static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        // At most every byte a line feed: twice the room, written through a buffer pointer.
        bytes.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: source.count * 2) { out, count in
                var to = 0
                var previous: UInt8 = 0
                for byte in source {
                    if byte == 0x0A && previous != 0x0D {
                        out[to] = 0x0D
                        to += 1
                    }
                    out[to] = byte
                    to += 1
                    previous = byte
                }
                count = to
            }
        }
    }

    /// Base64 in lines of 76 characters, each ended by CRLF.
    static func appendBase64Lines(_ bytes: [UInt8], to out: inout [UInt8]) {
        let encoded = Base64.encodeBytes(bytes)
        out.reserveCapacity(out.count + encoded.count + (encoded.count / 76 + 1) * 2)
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            out.append(contentsOf: encoded[start..<end])
            out.append(0x0D)
            out.append(0x0A)
            start = end
        }
    }
}
