import FuzzDriver
import HTTP

/// Any body either parses or is rejected with an error; what parses survives a round trip
/// through the writer when it is a flat object of strings.
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
    guard let value = try? JSONParser.parse(bytes), case .object(let fields) = value else { return 0 }
    if let email = fields["email"]?.string {
        let written = JSONWriter.object(["email": .string(email)], asciiOnly: count % 2 == 0)
        precondition((try? JSONParser.parse(written))?["email"]?.string == email)
    }
    return 0
}
