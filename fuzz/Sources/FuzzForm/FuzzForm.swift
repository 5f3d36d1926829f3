import Codecs
import FuzzDriver
import HTTP

/// Any query string or form body decodes; a value written back percent-encoded decodes to itself.
@main
struct Fuzz {
    static func main() {
        fuzz { bytes in
            for (name, value) in FormFields(bytes).pairs {
                let again = FormFields(Array("\(percentEncode(name))=\(percentEncode(value))".utf8))
                precondition(again.pairs.count == 1 && again.pairs[0].name == name && again.pairs[0].value == value)
            }
        }
    }

    static func percentEncode(_ text: String) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if ASCII.isAlphanumeric(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), ASCII.lowercaseHexDigits[Int(byte >> 4)], ASCII.lowercaseHexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
