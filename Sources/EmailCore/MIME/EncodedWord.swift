import Codecs

/// RFC 2047 encoded-words (`=?utf-8?b?…?=`) for non-ASCII header text. Each word stays within
/// 75 characters and holds whole characters; words are folded onto continuation lines so no
/// header line passes 78 characters.
public enum EncodedWord {
    static let prefix = "=?utf-8?b?"
    static let suffix = "?="
    /// 42 bytes encode to 56 base64 characters: a word of 10 + 56 + 2 = 68 characters, under
    /// the 75 limit and short enough to follow `Subject: ` within 78.
    static let maximumBytesPerWord = 42
    static let maximumLineLength = 78

    /// `prefixLength` is how much of the first line the header name already takes.
    public static func encode(_ text: String, prefixLength: Int) -> String {
        encodeCountingLastLine(text, prefixLength: prefixLength).text
    }

    /// The encoded text and the length of its last line, for whatever follows on that line.
    static func encodeCountingLastLine(_ text: String, prefixLength: Int) -> (text: String, lastLineLength: Int) {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > maximumBytesPerWord, !chunk.isEmpty {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }

        var out = ""
        var lineLength = prefixLength
        for (index, word) in words.enumerated() {
            if index > 0 {
                if lineLength + 1 + word.count > maximumLineLength {
                    out += "\r\n "
                    lineLength = 1
                } else {
                    out += " "
                    lineLength += 1
                }
            }
            out += word
            lineLength += word.count
        }
        return (out, lineLength)
    }

    private static func word(_ bytes: [UInt8]) -> String {
        prefix + Base64.encode(bytes) + suffix
    }
}
