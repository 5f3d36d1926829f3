import FuzzDriver
import HTTP

/// Any Cookie header parses, and parsing it twice gives the same answer.
@main
struct Fuzz {
    static func main() {
        fuzz { bytes in
            let header = String(decoding: bytes, as: UTF8.self)
            let cookies = Cookies.parse(header)
            precondition(Cookies.parse(header) == cookies)
            for name in cookies.keys {
                precondition(!name.hasPrefix(" ") && !name.hasSuffix(" ") && !name.contains(";"), "names are trimmed, chunks split")
            }
        }
    }
}
