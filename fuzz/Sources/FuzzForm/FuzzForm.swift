import FuzzDriver
import HTTP

/// Any query string or form body decodes; a value written back percent-encoded decodes to itself.
@main
struct Fuzz {
    static func main() {
        fuzzMain { data, count in
            guard let data else { return 0 }
            return fuzz(data, count)
        }
    }
}

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    let fields = FormFields(bytes)
    for (name, value) in fields.pairs {
        let encoded = "\(percentEncode(name))=\(percentEncode(value))"
        let again = FormFields(Array(encoded.utf8))
        precondition(again.pairs.count == 1 && again.pairs[0].name == name && again.pairs[0].value == value)
    }
    return 0
}

private func percentEncode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        let plain = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        out += plain ? String(UnicodeScalar(byte)) : "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
    }
    return out
}
