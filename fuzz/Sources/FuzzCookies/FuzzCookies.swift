import FuzzDriver
import HTTP

/// Any Cookie header parses, and parsing it twice gives the same answer.
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
    let header = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let cookies = Cookies.parse(header)
    precondition(Cookies.parse(header) == cookies)
    for name in cookies.keys {
        precondition(!name.hasPrefix(" ") && !name.hasSuffix(" ") && !name.contains(";"), "names are trimmed, chunks split")
    }
    return 0
}
