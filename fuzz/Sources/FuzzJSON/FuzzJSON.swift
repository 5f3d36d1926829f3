import FuzzDriver
import HTTP

/// Any body either parses or is rejected with an error; what parses survives a round trip
/// through the writer when it is a flat object of strings.
@main
struct Fuzz {
    static func main() {
        fuzz { bytes in
            guard let value = try? JSONParser.parse(bytes), case .object(let fields) = value, let email = fields["email"]?.string else {
                return
            }
            let written = JSONWriter.object(["email": .string(email)], asciiOnly: bytes.count % 2 == 0)
            precondition((try? JSONParser.parse(written))?["email"]?.string == email)
        }
    }
}
